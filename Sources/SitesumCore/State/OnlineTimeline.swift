/// When a site was online: the sorted instants at which its online state
/// flipped, starting offline, so the state at time t is online exactly when
/// an odd number of flips happened at or before t.
///
/// Every message of the site asks once, millions of times for a busy site.
/// A plain binary search over many flips costs a cache miss per step, so a
/// small bucket index over the flips' time range first narrows the search to
/// the few flips in the message's bucket.
struct OnlineTimeline: Sendable {
    /// Flip instants, strictly increasing.
    let flips: [Int64]
    /// `starts[b]` is the number of flips before bucket b; one extra entry at the end.
    private let starts: [Int32]
    private let first: Int64
    /// Width of a bucket in time units (at least 1).
    private let width: UInt64

    /// - Parameter flips: the instants where the state changed, strictly
    ///   increasing; the first one goes online.
    init(flips: [Int64]) {
        self.flips = flips
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

    /// Whether the site was online at `timestamp` (flips at that very instant count).
    func isOnline(at timestamp: Int64) -> Bool {
        guard let last = flips.last, timestamp >= first else { return false }
        if timestamp >= last { return flips.count % 2 == 1 }
        let bucket = Int(UInt64(bitPattern: timestamp &- first) / width)
        // Flips at or before `timestamp`: all before the bucket, plus those in it up to `timestamp`.
        var low = Int(starts[bucket])
        var high = Int(starts[bucket + 1])
        while low < high {
            let middle = (low + high) / 2
            if flips[middle] <= timestamp { low = middle + 1 } else { high = middle }
        }
        return low % 2 == 1
    }
}
