import Testing
@testable import SitesumCore

/// The byte hash behind the interners and the decoded lines' name hashes.
@Suite struct ByteHashTests {
    /// The hash spelled out one byte at a time: full little-endian words,
    /// then the 1-7 bytes left as one more word, then `mix`.
    static func reference(_ bytes: [UInt8]) -> UInt64 {
        func step(_ h: UInt64, _ word: UInt64) -> UInt64 {
            let x = h ^ (word &* ByteHash.k2)
            return (x &<< 27 | x &>> 37) &* ByteHash.k1
        }
        var h = ByteHash.k1 ^ UInt64(bytes.count)
        for start in stride(from: 0, to: bytes.count, by: 8) {
            var word: UInt64 = 0
            for (k, byte) in bytes[start..<min(start + 8, bytes.count)].enumerated() {
                word |= UInt64(byte) << UInt64(8 * k)
            }
            h = step(h, word)
        }
        return ByteHash.mix(h)
    }

    /// Every length up to 40, at every alignment within a word: the tail's
    /// loads of 4, 2 and 1 bytes read exactly the bytes left, and nothing
    /// beyond the name counts.
    @Test func matchesTheByteByByteDefinition() {
        let text = (0..<64).map { UInt8(truncatingIfNeeded: $0 &* 73 &+ 29) }
        for length in 0...40 {
            for shift in 0..<8 {
                let name = Array(text[shift..<shift + length])
                text.withUnsafeBytes { all in
                    let view = UnsafeRawBufferPointer(rebasing: all[shift..<shift + length])
                    #expect(ByteHash.hash(view) == Self.reference(name), "length \(length), at \(shift)")
                }
            }
        }
    }

    /// A change of any one byte changes the hash (of these short names).
    @Test func everyByteCounts() {
        for length in 1...24 {
            let name = (0..<length).map { UInt8(truncatingIfNeeded: $0 &+ 97) }
            var seen: Set<UInt64> = [Self.reference(name)]
            for position in 0..<length {
                var changed = name
                changed[position] ^= 0x20
                let hash = changed.withUnsafeBytes { ByteHash.hash($0) }
                #expect(seen.insert(hash).inserted, "length \(length), byte \(position)")
            }
        }
    }
}
