/// One output line: a site's counts.
public struct SiteSummary: Equatable, Sendable {
    /// The site id as it was written (escapes decoded).
    public var site: [UInt8]
    /// Messages while at least one operator was online (chats).
    public var messages: Int
    /// Messages while no operator was online.
    public var emails: Int
    /// Distinct operators with a status event for the site.
    public var operators: Int
    /// Distinct visitors with a message for the site.
    public var visitors: Int

    public init(site: [UInt8], messages: Int, emails: Int, operators: Int, visitors: Int) {
        self.site = site
        self.messages = messages
        self.emails = emails
        self.operators = operators
        self.visitors = visitors
    }

    /// `1,messages=4,emails=4,operators=2,visitors=5` followed by "\n".
    public var line: [UInt8] {
        var text: [UInt8] = []
        appendLine(to: &text)
        return text
    }

    /// Appends `line` to `text`, with no text of its own in between: a
    /// summary of a million sites spent a tenth of its run building each
    /// line as a string first.
    func appendLine(to text: inout [UInt8]) {
        func field(_ label: StaticString, _ count: Int) {
            text.append(contentsOf: UnsafeBufferPointer(start: label.utf8Start, count: label.utf8CodeUnitCount))
            // Short strings are stored inline: no allocation for a count.
            text.append(contentsOf: String(count).utf8)
        }
        text.append(contentsOf: site)
        field(",messages=", messages)
        field(",emails=", emails)
        field(",operators=", operators)
        field(",visitors=", visitors)
        text.append(UInt8(ascii: "\n"))
    }
}

extension Array where Element == SiteSummary {
    /// The summary as sitesum prints it: every site's line, in order.
    public var text: [UInt8] {
        var text: [UInt8] = []
        text.reserveCapacity(reduce(0) { $0 + $1.site.count + 64 })
        for summary in self { summary.appendLine(to: &text) }
        return text
    }
}

extension ActivityState {
    /// The summary: one entry per site, sorted by site id bytewise.
    ///
    /// Each site is swept once. Its statuses are sorted by (timestamp, file
    /// offset) and replayed to find the instants where the site's online state
    /// flips; each message then looks up the state in force at its timestamp.
    /// Statuses at a message's own timestamp count, since they apply first.
    ///
    /// Both steps use every core: sites' flips are found in parallel, then
    /// the messages are looked up in parallel in slices of a fixed size (one
    /// busy site would otherwise keep one core busy alone). The counts do not
    /// depend on how the work is split.
    public func summary() -> [SiteSummary] {
        // By each name's first eight bytes as one number (zero-padded: a
        // name that ends sooner sorts first, as bytewise), and the whole
        // names only where those are equal: a comparison of two loads
        // instead of two slices of the names' arena for most pairs.
        let prefixes = (0..<activity.count).map { index in
            sites.name(index).prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (56 - 8 * $1.offset) }
        }
        var order = Array(0..<activity.count)
        order.sort { left, right in
            prefixes[left] != prefixes[right]
                ? prefixes[left] < prefixes[right]
                : sites.name(left).lexicographicallyPrecedes(sites.name(right))
        }
        let columns = activity
        let peopleCount = people.count
        // A byte a person for each thread, not for each site: a log of
        // millions of sites, each with operators of its own, made that
        // sites × people bytes to zero.
        let flips = ParallelWork.map(columns.count, role: "summary",
                                     scratch: { [UInt8](repeating: 0, count: peopleCount) }) { index, operatorOnline in
            OnlineTimeline(flips: Self.onlineFlips(columns[index], scratch: &operatorOnline),
                           asked: columns[index].messageTimestamps.valueBounds(),
                           askCount: columns[index].messageTimestamps.count)
        }
        // Slices of about `sliceLength` messages, each whole blocks of the
        // packed column (unpacked by the slice's task) or a part of its
        // plain values.
        let sliceLength = 1 << 20
        var slices: [(site: Int, range: Range<Int>)] = []
        for (index, site) in columns.enumerated() {
            let messages = site.messageTimestamps
            var start = 0, end = 0
            for block in messages.blocks {
                if end - start + block.count > sliceLength && end > start {
                    slices.append((index, start..<end))
                    start = end
                }
                end += block.count
            }
            if end > start { slices.append((index, start..<end)) }
            for first in stride(from: messages.packedCount, to: messages.count, by: sliceLength) {
                slices.append((index, first..<min(messages.count, first + sliceLength)))
            }
        }
        let chatsPerSlice = ParallelWork.map(slices.count, role: "summary") { number in
            let (index, range) = slices[number]
            var chats = 0
            columns[index].messageTimestamps.forEachValues(in: range) { timestamps in
                chats += timestamps.count { flips[index].isOnline(at: $0) }
            }
            return chats
        }
        var chats = [Int](repeating: 0, count: columns.count)
        for (number, slice) in slices.enumerated() { chats[slice.site] += chatsPerSlice[number] }
        return order.map { index in
            let site = columns[index]
            return SiteSummary(
                site: Array(sites.name(index)),
                messages: chats[index],
                emails: site.messageTimestamps.count - chats[index],
                operators: site.operators,
                visitors: site.visitors
            )
        }
    }

    /// The timestamps at which the site's online state changes, after all
    /// statuses at that timestamp, in order. Starts offline, so the first goes
    /// online and they alternate.
    static func onlineFlips(_ site: SiteActivity, scratch operatorOnline: inout [UInt8]) -> [Int64] {
        var flips: [Int64] = []
        var online = false
        var onlineOperators = 0
        var started = false
        var groupTimestamp: Int64 = 0
        forEachStatusInOrder(site) { timestamp, change in
            // A new timestamp: the statuses at the last one have all applied.
            if started && timestamp != groupTimestamp && (onlineOperators > 0) != online {
                online.toggle()
                flips.append(groupTimestamp)
            }
            started = true
            groupTimestamp = timestamp
            let person = Int(change >> 1)
            let operatorOnlineNow = UInt8(change & 1)
            onlineOperators += Int(operatorOnlineNow) - Int(operatorOnline[person])
            operatorOnline[person] = operatorOnlineNow
        }
        if started && (onlineOperators > 0) != online { flips.append(groupTimestamp) }
        // Leave the scratch all zero for the next site.
        for index in 0..<site.statusCount {
            operatorOnline[Int(site.statusChanges[index] >> 1)] = 0
        }
        return flips
    }

    /// Calls `body` with the timestamp and change (`operator << 1 | online`)
    /// of each of `site`'s statuses, in the order they apply: by timestamp,
    /// then by file offset.
    ///
    /// Statuses are appended in file order (a resumed state loads them in
    /// that order too), so the offsets already increase along the column, and
    /// a stable sort by timestamp alone gives the order: a radix sort of
    /// `(timestamp − earliest) << changeWidth | change`, 11 bits a pass over
    /// the timestamp's bits only, as many passes as the timestamps' range
    /// needs (two for a day in seconds). The sorted keys then hold all
    /// `body` needs, read front to back; sorting indices instead left the
    /// columns to be read in the sorted order, a cache miss a status. A
    /// comparison sort takes a column whose offsets do not increase (only the
    /// library's `apply` can make one) or whose range and changes do not fit
    /// 64 bits together.
    @inline(__always)
    static func forEachStatusInOrder(_ site: SiteActivity, _ body: (Int64, UInt32) -> Void) {
        let count = site.statusCount
        let timestamps = site.statusTimestamps
        let offsets = site.statusOffsets
        let changes = site.statusChanges
        var inFileOrder = true
        var earliest = Int64.max, latest = Int64.min
        var changeBitsUsed: UInt32 = 0
        for index in 0..<count {
            if index > 0 && offsets[index] <= offsets[index - 1] { inFileOrder = false }
            earliest = min(earliest, timestamps[index])
            latest = max(latest, timestamps[index])
            changeBitsUsed |= changes[index]
        }
        let changeWidth = UInt64(UInt32.bitWidth - changeBitsUsed.leadingZeroBitCount)
        let spanBits = count == 0 ? 0 : UInt64(UInt64.bitWidth - UInt64(bitPattern: latest &- earliest).leadingZeroBitCount)
        guard inFileOrder, count > 64, changeWidth + spanBits <= 64 else {
            let order = (0..<count).sorted {
                let (a, b) = (timestamps[$0], timestamps[$1])
                return a != b ? a < b : offsets[$0] < offsets[$1]
            }
            for index in order { body(timestamps[index], changes[index]) }
            return
        }
        var keys = (0..<count).map { UInt64(bitPattern: timestamps[$0] &- earliest) << changeWidth | UInt64(changes[$0]) }
        var other = [UInt64](repeating: 0, count: count)
        let digitBits = 11
        var digitShift = changeWidth
        while digitShift < changeWidth + spanBits {
            var starts = [Int](repeating: 0, count: (1 << digitBits) + 1)
            for key in keys { starts[Int(truncatingIfNeeded: key >> digitShift) & ((1 << digitBits) - 1) + 1] += 1 }
            for digit in 1..<starts.count { starts[digit] += starts[digit - 1] }
            for key in keys {
                let digit = Int(truncatingIfNeeded: key >> digitShift) & ((1 << digitBits) - 1)
                other[starts[digit]] = key
                starts[digit] += 1
            }
            swap(&keys, &other)
            digitShift += UInt64(digitBits)
        }
        let changeMask: UInt64 = (1 << changeWidth) - 1
        for key in keys {
            body(earliest &+ Int64(bitPattern: key >> changeWidth), UInt32(truncatingIfNeeded: key & changeMask))
        }
    }
}
