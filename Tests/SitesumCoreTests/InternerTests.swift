import Testing
@testable import SitesumCore

/// The interner behind site, visitor and operator names and ids that are not
/// UUIDs: indices in first-seen order, exact by bytes whatever the hashes do.
@Suite struct InternerTests {
    func intern(_ interner: inout Interner, _ name: String, hash: UInt64? = nil) -> (index: UInt32, inserted: Bool) {
        Array(name.utf8).withUnsafeBytes { bytes in
            interner.intern(bytes, hash: hash ?? ByteHash.hash(bytes))
        }
    }

    @Test func namesGetIndicesInFirstSeenOrder() {
        var interner = Interner()
        #expect(intern(&interner, "visitor1") == (0, true))
        #expect(intern(&interner, "operator2") == (1, true))
        #expect(intern(&interner, "") == (2, true))
        #expect(intern(&interner, "visitor1") == (0, false))
        #expect(intern(&interner, "") == (2, false))
        #expect(interner.count == 3)
        #expect(Array(interner.name(1)) == Array("operator2".utf8))
        #expect(interner.name(2).isEmpty)
    }

    /// Thousands of names: the table grows many times, and every name keeps
    /// its index.
    @Test func everyNameIsFoundAfterGrowing() {
        var interner = Interner()
        let names = (0..<5_000).map { "visitor\($0 * 7919 % 100_003)" }
        for (index, name) in names.enumerated() {
            #expect(intern(&interner, name) == (UInt32(index), true))
        }
        for (index, name) in names.enumerated().reversed() {
            #expect(intern(&interner, name) == (UInt32(index), false))
            #expect(Array(interner.name(index)) == Array(name.utf8))
        }
    }

    /// The guess that prefetching goes by (`guessIndex`): the index of a
    /// known name whose tag no other name shares, and for a name never
    /// interned nil or some name's index, never one out of range.
    @Test func guessesAreIndicesOfKnownNames() {
        func hash(_ name: String) -> UInt64 { Array(name.utf8).withUnsafeBytes { ByteHash.hash($0) } }
        var interner = Interner()
        let names = (0..<3_000).map { "site\($0)" }
        for name in names { _ = intern(&interner, name) }
        var namesByTag: [UInt64: Int] = [:]
        for name in names { namesByTag[hash(name) >> 32, default: 0] += 1 }
        for (index, name) in names.enumerated() where namesByTag[hash(name) >> 32] == 1 {
            #expect(interner.guessIndex(hash(name)) == index)
        }
        for unknown in (0..<3_000).map({ "other\($0)" }) {
            if let guess = interner.guessIndex(hash(unknown)) {
                #expect(guess >= 0 && guess < interner.count)
            }
        }
        var empty = Interner()
        #expect(empty.guessIndex(hash("site0")) == nil)
    }

    /// Names whose hashes collide entirely, or differ only outside the low
    /// bits that pick the home slot, stay apart: only equal bytes are the
    /// same name.
    @Test func collidingHashesNeverMergeNames() {
        var interner = Interner()
        let hashes: [UInt64] = [
            0x1234_5678_0000_0001, 0x1234_5678_0000_0001,  // identical
            0x1234_5678_0000_0011,  // same home while the table is small
            0x9999_9999_0000_0001,  // same lower half: same home at any size
        ]
        let names = ["a", "b", "ab", "ba"]
        for (index, name) in names.enumerated() {
            #expect(intern(&interner, name, hash: hashes[index]) == (UInt32(index), true))
        }
        // Enough more to grow the table past them, then all again.
        for index in 0..<100 { _ = intern(&interner, "filler\(index)") }
        for (index, name) in names.enumerated() {
            #expect(intern(&interner, name, hash: hashes[index]) == (UInt32(index), false))
        }
    }

    /// The comparison under the interner, at every length around its word
    /// sizes: equal bytes are equal, and a difference in any one byte is seen.
    @Test func byteComparisonSeesEveryByte() {
        for length in 0...40 {
            let a = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            a.withUnsafeBytes { left in
                var same = a
                same.withUnsafeBytes { right in
                    #expect(memcmpEqual(left.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!,
                                        right.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, length))
                }
                for position in 0..<length {
                    same = a
                    same[position] ^= 0x40
                    same.withUnsafeBytes { right in
                        #expect(!memcmpEqual(left.baseAddress!, right.baseAddress!, length), "length \(length), byte \(position)")
                    }
                }
            }
        }
    }
}
