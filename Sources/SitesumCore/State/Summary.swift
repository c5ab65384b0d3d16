import SitesumPrefetch

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
        site.withUnsafeBytes { site in
            Self.appendLine(site: site, messages: messages, emails: emails,
                            operators: operators, visitors: visitors, to: &text)
        }
    }

    /// `line` of a site named `site` with these counts, appended to `text`.
    static func appendLine(
        site: UnsafeRawBufferPointer, messages: Int, emails: Int, operators: Int, visitors: Int,
        to text: inout [UInt8]
    ) {
        func field(_ label: StaticString, _ count: Int) {
            text.append(contentsOf: UnsafeBufferPointer(start: label.utf8Start, count: label.utf8CodeUnitCount))
            appendDecimal(count, to: &text)
        }
        text.append(contentsOf: site)
        field(",messages=", messages)
        field(",emails=", emails)
        field(",operators=", operators)
        field(",visitors=", visitors)
        text.append(UInt8(ascii: "\n"))
    }
}

/// Appends `value` (not negative) in decimal digits, as `String(value)`
/// spells it, without making a string: four of them a site, millions of
/// sites.
func appendDecimal(_ value: Int, to text: inout [UInt8]) {
    precondition(value >= 0, "a count is never negative")
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
        var rest = value, start = 20
        repeat {
            start -= 1
            digits[start] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
            rest /= 10
        } while rest > 0
        text.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start..<20]))
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
    public func summary() -> [SiteSummary] {
        var summary: [SiteSummary] = []
        summary.reserveCapacity(activity.count)
        forEachSiteInOrder { name, messages, emails, operators, visitors in
            summary.append(SiteSummary(site: Array(name), messages: messages, emails: emails,
                                       operators: operators, visitors: visitors))
        }
        return summary
    }

    /// `summary().text`, written straight from the state: no entry, and no
    /// copy of its name, for each of what may be millions of sites. With
    /// many sites, the lines are written in pieces of the order on every
    /// core, then put together.
    public func summaryText() -> [UInt8] {
        summaryText(pieces: activity.count < Self.sitesForTextPieces ? 1 : ParallelWork.processors)
    }

    /// Below this many sites, the summary's text is written in one piece.
    static var sitesForTextPieces: Int { 1 << 16 }

    /// `summaryText()` written in `pieces` pieces (at least 1), each on a
    /// core of its own while there are cores.
    func summaryText(pieces: Int) -> [UInt8] {
        precondition(pieces >= 1, "at least one piece")
        let (order, chats) = siteOrderAndChats()
        var parts = ParallelWork.map(pieces, role: "summary") { piece in
            let positions = (order.count * piece / pieces)..<(order.count * (piece + 1) / pieces)
            var text: [UInt8] = []
            // The first piece has room for all (the others are appended to
            // it): pages of it not written are never resident.
            text.reserveCapacity(piece == 0 ? sites.arena.count + order.count * 64 : sites.arena.count / pieces + positions.count * 64)
            forEachSiteInOrder(order, chats, positions) { name, messages, emails, operators, visitors in
                SiteSummary.appendLine(site: name, messages: messages, emails: emails,
                                       operators: operators, visitors: visitors, to: &text)
            }
            return text
        }
        var text = parts[0]
        parts[0] = []
        for index in parts.indices.dropFirst() {
            text.append(contentsOf: parts[index])
            parts[index] = []
        }
        return text
    }

    /// Calls `body` with each site's name and counts (messages, emails,
    /// operators, visitors), sorted by site id bytewise.
    private func forEachSiteInOrder(_ body: (UnsafeRawBufferPointer, Int, Int, Int, Int) -> Void) {
        let (order, chats) = siteOrderAndChats()
        forEachSiteInOrder(order, chats, order.indices, body)
    }

    /// Calls `body` as `forEachSiteInOrder(_:)` does, for the sites at
    /// `positions` of `order` (the sites' indices in the order of their
    /// names), whose chats `chats` holds by site index.
    private func forEachSiteInOrder(
        _ order: [Int], _ chats: [Int], _ positions: Range<Int>, _ body: (UnsafeRawBufferPointer, Int, Int, Int, Int) -> Void
    ) {
        let sites = self.sites
        // The sites come in the order of their names, not of their indices:
        // each one's record, bounds and name are a cache miss of its own
        // when there are many sites, so they are asked for some sites ahead.
        let ahead = 16
        sites.arena.withUnsafeBytes { arena in
            for position in positions {
                let index = order[position]
                if position + ahead < positions.upperBound {
                    let later = order[position + ahead]
                    prefetchRecord(later)
                    sites.bounds.withUnsafeBufferPointer { SitesumPrefetch.prefetch($0.baseAddress.unsafelyUnwrapped + later) }
                    chats.withUnsafeBufferPointer { SitesumPrefetch.prefetch($0.baseAddress.unsafelyUnwrapped + later) }
                }
                if position + ahead / 2 < positions.upperBound {
                    // Its bounds came in by now.
                    SitesumPrefetch.prefetch(arena.baseAddress.unsafelyUnwrapped + sites.bounds[order[position + ahead / 2]])
                }
                let site = activity[index]
                body(UnsafeRawBufferPointer(rebasing: arena[sites.bounds[index]..<sites.bounds[index + 1]]),
                     chats[index], site.messageTimestamps.count - chats[index], site.operators, site.visitors)
            }
        }
    }

    /// A site with at most this many messages counts its chats in one step,
    /// looking each message up among its flips by binary search. A busier
    /// site gets an `OnlineTimeline`, whose index and bitmap pay for
    /// themselves only over many messages, and is counted in slices.
    static var smallSiteMessages: Int { 4096 }

    /// The sites' indices sorted by site id bytewise, and each site's chats
    /// (by site index).
    ///
    /// Each site is swept once. Its statuses are sorted by (timestamp, file
    /// offset) and replayed to find the instants where the site's online state
    /// flips; each message then looks up the state in force at its timestamp.
    /// Statuses at a message's own timestamp count, since they apply first.
    ///
    /// Both steps use every core: small sites are counted in parallel, each
    /// whole; a busy site's flips are found in parallel with the others',
    /// then its messages are looked up in parallel in slices of a fixed size
    /// (one busy site would otherwise keep one core busy alone). The counts
    /// do not depend on how the work is split.
    func siteOrderAndChats() -> (order: [Int], chats: [Int]) {
        let sites = self.sites
        let columns = activity
        // By each name's first eight bytes as one number (zero-padded: a
        // name that ends sooner sorts first, as bytewise), and the whole
        // names only where those are equal. The keys sit beside their
        // indices, so the sort reads them in order.
        var keyed: [(prefix: UInt64, index: Int)] = sites.arena.withUnsafeBytes { arena in
            (0..<columns.count).map { index in
                let start = sites.bounds[index], end = sites.bounds[index + 1]
                var prefix: UInt64 = 0
                for (place, byte) in arena[start..<min(end, start + 8)].enumerated() {
                    prefix |= UInt64(byte) << (56 - 8 * place)
                }
                return (prefix, index)
            }
        }
        RadixSort.sort(&keyed, bits: 0..<64) { $0.prefix }
        // Names that share their first eight bytes, in runs now: by the rest.
        var runStart = 0
        while runStart < keyed.count {
            var runEnd = runStart + 1
            while runEnd < keyed.count && keyed[runEnd].prefix == keyed[runStart].prefix { runEnd += 1 }
            if runEnd - runStart > 1 {
                keyed[runStart..<runEnd].sort { sites.name($0.index).lexicographicallyPrecedes(sites.name($1.index)) }
            }
            runStart = runEnd
        }
        let order = keyed.map(\.index)
        keyed = []
        let peopleCount = people.count
        // A byte a person for each thread, not for each site: a log of
        // millions of sites, each with operators of its own, made that
        // sites × people bytes to zero. The flips' room is each thread's too.
        let makeScratch = { (operatorOnline: [UInt8](repeating: 0, count: peopleCount), flips: [Int64]()) }
        var chats = ParallelWork.map(columns.count, role: "summary", scratch: makeScratch) { index, scratch in
            let messages = columns[index].messageTimestamps
            // A busy site is counted below; a site without messages has no chats.
            guard messages.count <= Self.smallSiteMessages, messages.count > 0 else { return 0 }
            Self.onlineFlips(columns[index], scratch: &scratch.operatorOnline, into: &scratch.flips)
            var chats = 0
            scratch.flips.withUnsafeBufferPointer { flips in
                messages.forEachValues(in: 0..<messages.count) { timestamps in
                    chats += timestamps.count { OnlineTimeline.isOnline(at: $0, flips: flips) }
                }
            }
            return chats
        }
        let busy = columns.indices.filter { columns[$0].messageTimestamps.count > Self.smallSiteMessages }
        let timelines = ParallelWork.map(busy.count, role: "summary", scratch: makeScratch) { number, scratch in
            let site = columns[busy[number]]
            Self.onlineFlips(site, scratch: &scratch.operatorOnline, into: &scratch.flips)
            return OnlineTimeline(flips: scratch.flips, asked: site.messageTimestamps.valueBounds(),
                                  askCount: site.messageTimestamps.count)
        }
        // Slices of about `sliceLength` messages, each whole blocks of the
        // packed column (unpacked by the slice's task) or a part of its
        // plain values.
        let sliceLength = 1 << 20
        var slices: [(busy: Int, range: Range<Int>)] = []
        for (number, index) in busy.enumerated() {
            let messages = columns[index].messageTimestamps
            var start = 0, end = 0
            for block in messages.blocks {
                if end - start + block.count > sliceLength && end > start {
                    slices.append((number, start..<end))
                    start = end
                }
                end += block.count
            }
            if end > start { slices.append((number, start..<end)) }
            for first in stride(from: messages.packedCount, to: messages.count, by: sliceLength) {
                slices.append((number, first..<min(messages.count, first + sliceLength)))
            }
        }
        let chatsPerSlice = ParallelWork.map(slices.count, role: "summary") { sliceNumber in
            let (number, range) = slices[sliceNumber]
            var chats = 0
            columns[busy[number]].messageTimestamps.forEachValues(in: range) { timestamps in
                chats += timestamps.count { timelines[number].isOnline(at: $0) }
            }
            return chats
        }
        for (sliceNumber, slice) in slices.enumerated() { chats[busy[slice.busy]] += chatsPerSlice[sliceNumber] }
        return (order, chats)
    }

    /// The timestamps at which the site's online state changes, after all
    /// statuses at that timestamp, in order. Starts offline, so the first goes
    /// online and they alternate.
    static func onlineFlips(_ site: SiteActivity, scratch operatorOnline: inout [UInt8]) -> [Int64] {
        var flips: [Int64] = []
        onlineFlips(site, scratch: &operatorOnline, into: &flips)
        return flips
    }

    /// `onlineFlips(_:scratch:)` into `flips`, emptied first (its room is kept).
    static func onlineFlips(_ site: SiteActivity, scratch operatorOnline: inout [UInt8], into flips: inout [Int64]) {
        flips.removeAll(keepingCapacity: true)
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
            operatorOnline[Int(site.statuses[index].change >> 1)] = 0
        }
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
        let statuses = site.statuses
        var inFileOrder = true
        var earliest = Int64.max, latest = Int64.min
        var changeBitsUsed: UInt32 = 0
        for index in 0..<count {
            let status = statuses[index]
            if index > 0 && status.offset <= statuses[index - 1].offset { inFileOrder = false }
            earliest = min(earliest, status.timestamp)
            latest = max(latest, status.timestamp)
            changeBitsUsed |= status.change
        }
        let changeWidth = UInt64(UInt32.bitWidth - changeBitsUsed.leadingZeroBitCount)
        let spanBits = count == 0 ? 0 : UInt64(UInt64.bitWidth - UInt64(bitPattern: latest &- earliest).leadingZeroBitCount)
        guard inFileOrder, count > 64, changeWidth + spanBits <= 64 else {
            let order = statuses.sorted { $0.timestamp != $1.timestamp ? $0.timestamp < $1.timestamp : $0.offset < $1.offset }
            for status in order { body(status.timestamp, status.change) }
            return
        }
        var keys = statuses.map { UInt64(bitPattern: $0.timestamp &- earliest) << changeWidth | UInt64($0.change) }
        RadixSort.sort(&keys, bits: Int(changeWidth)..<Int(changeWidth + spanBits)) { $0 }
        let changeMask: UInt64 = (1 << changeWidth) - 1
        for key in keys {
            body(earliest &+ Int64(bitPattern: key >> changeWidth), UInt32(truncatingIfNeeded: key & changeMask))
        }
    }
}
