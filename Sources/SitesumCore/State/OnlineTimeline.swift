/// When a site was online: the sorted instants at which its online state
/// flipped, starting offline, so the state at time t is online exactly when
/// an odd number of flips happened at or before t.
///
/// Every message of the site asks once, millions of times for a busy site.
/// A plain binary search over many flips costs a cache miss per step, so a
/// small bucket index over the flips' time range first narrows the search to
/// the few flips in the message's bucket. And when the instants asked about
/// lie in a short enough range (`asked`: a day in seconds is 86,400 of them),
/// the state at each instant of it is in a bitmap, one bit an instant, small
/// enough to stay in cache: one load an answer. The bitmap is only made for a
/// site that asks often enough to pay for it: a site with a handful of
/// messages over a day would spend 10 KiB of bitmap on them, and a log of
/// hundreds of thousands of such sites gigabytes.
struct OnlineTimeline: Sendable {
    /// The most instants the bitmap covers: 512 KiB of bits.
    static let bitmapInstants: UInt64 = 1 << 22
    /// The most instants of bitmap for each question asked: at 64, a
    /// message pays for one word of it.
    static let bitmapInstantsPerAsk: UInt64 = 64
    /// Bit i: online at `bitmapStart + i`, for i below `bitmapCount`.
    private let bitmap: [UInt64]
    private let bitmapStart: Int64
    private let bitmapCount: UInt64
    /// Whether the answers come from the bitmap (for tests).
    var hasBitmap: Bool { bitmapCount > 0 }
    /// Flip instants, strictly increasing.
    let flips: [Int64]
    /// `starts[b]` is the number of flips before bucket b; one extra entry at the end.
    private let starts: [Int32]
    private let first: Int64
    /// Width of a bucket in time units (at least 1).
    private let width: UInt64

    /// - Parameters:
    ///   - flips: the instants where the state changed, strictly increasing;
    ///     the first one goes online.
    ///   - asked: the range the instants asked about lie in, if known.
    ///   - askCount: how many times the state will be asked (at most).
    init(flips: [Int64], asked: ClosedRange<Int64>? = nil, askCount: Int = .max) {
        self.flips = flips
        let askedSpan = asked.map { UInt64(bitPattern: $0.upperBound &- $0.lowerBound) } ?? .max
        let worthIt = askedSpan / Self.bitmapInstantsPerAsk < UInt64(max(0, askCount))
        if let asked, askedSpan < Self.bitmapInstants, worthIt {
            bitmapStart = asked.lowerBound
            bitmapCount = askedSpan + 1
            bitmap = Self.bitmap(flips: flips, from: asked.lowerBound, count: askedSpan + 1)
        } else {
            bitmapStart = 0
            bitmapCount = 0
            bitmap = []
        }
        guard let first = flips.first, let last = flips.last, flips.count > 1 else {
            self.first = flips.first ?? 0
            width = 1
            starts = [0, Int32(flips.count)]
            return
        }
        self.first = first
        // The distance fits in UInt64 whatever the timestamps are.
        let span = UInt64(bitPattern: last &- first)
        let bucketCount = UInt64(min(1 << 16, flips.count * 2))
        width = span / bucketCount + 1
        var starts = [Int32](repeating: 0, count: Int(span / width) + 2)
        for flip in flips { starts[Int(UInt64(bitPattern: flip &- first) / width) + 1] += 1 }
        for bucket in 1..<starts.count { starts[bucket] += starts[bucket - 1] }
        self.starts = starts
    }

    /// The online state at each of `count` instants from `start`, a bit each.
    private static func bitmap(flips: [Int64], from start: Int64, count: UInt64) -> [UInt64] {
        var words = [UInt64](repeating: 0, count: Int((count + 63) / 64))
        // Flips at or before `start` decide the state there; each later one
        // inside the range toggles it from its own instant on.
        var index = 0
        while index < flips.count && flips[index] <= start { index += 1 }
        var online = index % 2 == 1
        var from: UInt64 = 0
        func fill(_ range: Range<UInt64>) {
            var bit = range.lowerBound
            while bit < range.upperBound {
                let word = Int(bit >> 6), shift = bit & 63
                let n = min(64 - shift, range.upperBound - bit)
                words[word] |= (n == 64 ? ~0 : ((1 << n) - 1)) << shift
                bit += n
            }
        }
        while index < flips.count {
            let at = UInt64(bitPattern: flips[index] &- start)
            if at >= count { break }
            if online { fill(from..<at) }
            online.toggle()
            from = at
            index += 1
        }
        if online { fill(from..<count) }
        return words
    }

    /// Whether the site was online at `timestamp` (flips at that very instant count).
    @inline(__always)
    func isOnline(at timestamp: Int64) -> Bool {
        let instant = UInt64(bitPattern: timestamp &- bitmapStart)
        if instant < bitmapCount {
            return bitmap.withUnsafeBufferPointer { $0[Int(instant >> 6)] >> (instant & 63) & 1 != 0 }
        }
        return isOnlineBySearch(at: timestamp)
    }

    /// Whether an odd number of `flips` (strictly increasing) lie at or
    /// before `timestamp`: `isOnline(at:)` by binary search alone, for a
    /// site asked too few times to pay for a timeline.
    @inline(__always)
    static func isOnline(at timestamp: Int64, flips: UnsafeBufferPointer<Int64>) -> Bool {
        flipsAtOrBefore(timestamp, flips, low: 0, high: flips.count) % 2 == 1
    }

    /// The number of `flips` at or before `timestamp`, knowing that those
    /// before index `low` are and those from `high` on are not.
    @inline(__always)
    private static func flipsAtOrBefore(_ timestamp: Int64, _ flips: UnsafeBufferPointer<Int64>, low: Int, high: Int) -> Int {
        var low = low, high = high
        while low < high {
            let middle = (low + high) / 2
            if flips[middle] <= timestamp { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// `isOnline(at:)` through the bucket index and a binary search.
    func isOnlineBySearch(at timestamp: Int64) -> Bool {
        guard let last = flips.last, timestamp >= first else { return false }
        if timestamp >= last { return flips.count % 2 == 1 }
        let bucket = Int(UInt64(bitPattern: timestamp &- first) / width)
        // Flips at or before `timestamp`: all before the bucket, plus those in it up to `timestamp`.
        return flips.withUnsafeBufferPointer { flips in
            Self.flipsAtOrBefore(timestamp, flips, low: Int(starts[bucket]), high: Int(starts[bucket + 1]))
        } % 2 == 1
    }
}
