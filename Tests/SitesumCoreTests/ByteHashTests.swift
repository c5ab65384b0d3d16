import Testing
@testable import SitesumCore

/// The byte hash behind the interners and the decoded lines' name hashes.
@Suite struct ByteHashTests {
    /// The hash spelled out one byte at a time. Up to 16 bytes: the first
    /// and the last (up to) eight bytes as little-endian words — four for
    /// names of 4 to 7 bytes, the first, middle and last byte for 1 to 3 —
    /// folded with the count. Longer: full words, then the 1-7 bytes left as
    /// one more word, then `mix`.
    static func reference(_ bytes: [UInt8]) -> UInt64 {
        func word(_ slice: ArraySlice<UInt8>) -> UInt64 {
            var word: UInt64 = 0
            for (k, byte) in slice.enumerated() { word |= UInt64(byte) << UInt64(8 * k) }
            return word
        }
        func fold(_ a: UInt64, _ b: UInt64) -> UInt64 {
            let product = a.multipliedFullWidth(by: b)
            return product.high ^ product.low
        }
        let count = bytes.count
        if count <= 16 {
            var first: UInt64 = 0
            var last: UInt64 = 0
            switch count {
            case 8...16:
                first = word(bytes[0..<8])
                last = word(bytes[(count - 8)..<count])
            case 4...7:
                first = word(bytes[0..<4])
                last = word(bytes[(count - 4)..<count])
            case 1...3:
                first = UInt64(bytes[0]) << 16 | UInt64(bytes[count / 2]) << 8 | UInt64(bytes[count - 1])
            default:
                break
            }
            return fold(fold(first ^ ByteHash.k1, last ^ ByteHash.k2 ^ UInt64(count)), ByteHash.k3)
        }
        func step(_ h: UInt64, _ word: UInt64) -> UInt64 {
            let x = h ^ (word &* ByteHash.k2)
            return (x &<< 27 | x &>> 37) &* ByteHash.k1
        }
        var h = ByteHash.k1 ^ UInt64(count)
        for start in stride(from: 0, to: count, by: 8) {
            h = step(h, word(bytes[start..<min(start + 8, count)]))
        }
        return ByteHash.mix(h)
    }

    /// The hashes of names the state sees by the million spread over the low
    /// bits the interners' tables use: 100,000 visitor names and the
    /// numbers as site ids fill 2^17 buckets of their low 17 bits about as
    /// evenly as random values would (no bucket with more than 12).
    @Test func shortNamesSpreadOverTheLowBits() {
        for prefix in ["visitor", "operator", ""] {
            var buckets = [Int](repeating: 0, count: 1 << 17)
            for number in 0..<100_000 {
                let hash = Array("\(prefix)\(number)".utf8).withUnsafeBytes { ByteHash.hash($0) }
                buckets[Int(truncatingIfNeeded: hash) & ((1 << 17) - 1)] += 1
            }
            #expect(buckets.max()! <= 12, "names \(prefix)N")
        }
    }

    /// Every length up to 40, at every alignment within a word: the loads
    /// read exactly the name's bytes, and nothing beyond the name counts.
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
