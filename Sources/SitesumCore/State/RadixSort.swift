/// A least-significant-digit radix sort on part of a 64-bit key: the
/// summary's order of statuses (by timestamp) and of sites (by their names'
/// first eight bytes), where a comparison sort of a million small sites
/// took a tenth of a run.
enum RadixSort {
    /// Bits of the key taken a pass.
    static let digitBits = 11

    /// Sorts `items` by the bits `bits` of `key(item)` (least significant
    /// bit 0), stably: items equal in those bits keep their order. A pass
    /// whose digit is the same for every item moves nothing and is skipped.
    static func sort<Item>(_ items: inout [Item], bits: Range<Int>, key: (Item) -> UInt64) {
        guard items.count > 1, !bits.isEmpty else { return }
        precondition(bits.lowerBound >= 0 && bits.upperBound <= 64, "bits of a 64-bit key")
        var other = items
        let mask = (1 << digitBits) - 1
        var shift = bits.lowerBound
        while shift < bits.upperBound {
            let width = min(digitBits, bits.upperBound - shift)
            let digitMask = mask >> (digitBits - width)
            var starts = [Int](repeating: 0, count: digitMask + 2)
            for item in items { starts[Int(truncatingIfNeeded: key(item) >> UInt64(shift)) & digitMask + 1] += 1 }
            if !starts.contains(items.count) {
                for digit in 1..<starts.count { starts[digit] += starts[digit - 1] }
                other.withUnsafeMutableBufferPointer { other in
                    for item in items {
                        let digit = Int(truncatingIfNeeded: key(item) >> UInt64(shift)) & digitMask
                        other[starts[digit]] = item
                        starts[digit] += 1
                    }
                }
                swap(&items, &other)
            }
            shift += width
        }
    }
}
