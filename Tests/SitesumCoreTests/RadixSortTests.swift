import SitesumGenerator
import Testing
@testable import SitesumCore

/// The summary's radix sort against the library's stable sort on the same
/// bits: the same order, equal keys in their first order.
@Suite struct RadixSortTests {
    @Test(arguments: [(0, 0..<64), (1, 0..<64), (2, 0..<1), (1_000, 0..<64), (1_000, 3..<20), (5_000, 11..<22),
                      (5_000, 40..<64), (5_000, 0..<11), (20_000, 7..<64), (20_000, 63..<64)])
    func sortsLikeAStableSortOfTheBits(_ count: Int, bits: Range<Int>) {
        var random = SplitMix64(state: UInt64(count) &+ UInt64(bits.lowerBound << 8 | bits.upperBound))
        // Few distinct values in the bits sorted on, so that many are equal
        // and stability shows; the bits outside them random.
        let values = (0..<count).map { _ in random.next() }
        var items = values.enumerated().map { (key: $0.element, index: $0.offset) }
        func sortBits(_ key: UInt64) -> UInt64 {
            let width = UInt64(bits.count)
            return (key >> UInt64(bits.lowerBound)) & (width == 64 ? .max : (1 << width) - 1)
        }
        items = items.map { item in
            // Keep only 40 distinct values within the bits: many ties.
            let inside = sortBits(item.key) % 40
            let mask: UInt64 = bits.count == 64 ? .max : ((1 << UInt64(bits.count)) - 1) << UInt64(bits.lowerBound)
            return (key: item.key & ~mask | inside << UInt64(bits.lowerBound), index: item.index)
        }
        let expected = items.sorted { sortBits($0.key) != sortBits($1.key) ? sortBits($0.key) < sortBits($1.key) : $0.index < $1.index }
        RadixSort.sort(&items, bits: bits) { $0.key }
        #expect(items.map(\.index) == expected.map(\.index))
    }

    /// Keys that agree in every digit but one, and keys all equal: the
    /// passes over digits that do not differ move nothing, and the result
    /// is still sorted (and all equal keys keep their order).
    @Test func digitsThatDoNotDifferAreSkipped() {
        var items = (0..<3_000).map { (key: UInt64(0xABCD_0000_0000_1234) | UInt64($0 * 7919 % 3_000) << 20, index: $0) }
        RadixSort.sort(&items, bits: 0..<64) { $0.key }
        #expect(items.map(\.key) == items.map(\.key).sorted())
        var equal = (0..<100).map { (key: UInt64(42), index: $0) }
        RadixSort.sort(&equal, bits: 0..<64) { $0.key }
        #expect(equal.map(\.index) == Array(0..<100))
    }
}
