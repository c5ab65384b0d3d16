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
        var text = site
        text.append(contentsOf: ",messages=\(messages),emails=\(emails),operators=\(operators),visitors=\(visitors)\n".utf8)
        return text
    }
}

extension Array where Element == SiteSummary {
    /// The summary as sitesum prints it: every site's line, in order.
    public var text: [UInt8] { flatMap(\.line) }
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
        var order = Array(0..<activity.count)
        order.sort { sites.name($0).lexicographicallyPrecedes(sites.name($1)) }
        let columns = activity
        let peopleCount = people.count
        let flips = parallelMap(columns.count) { index in
            var operatorOnline = [UInt8](repeating: 0, count: peopleCount)
            return OnlineTimeline(flips: Self.onlineFlips(columns[index], scratch: &operatorOnline))
        }
        let sliceLength = 1 << 20
        var slices: [(site: Int, range: Range<Int>)] = []
        for (index, site) in columns.enumerated() {
            for start in stride(from: 0, to: site.messageTimestamps.count, by: sliceLength) {
                slices.append((index, start..<min(site.messageTimestamps.count, start + sliceLength)))
            }
        }
        let chatsPerSlice = parallelMap(slices.count) { number in
            let (index, range) = slices[number]
            return columns[index].messageTimestamps.withUnsafeElements(range) { timestamps in
                timestamps.count { flips[index].isOnline(at: $0) }
            }
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
        var order = Array(0..<site.statusCount)
        order.sort {
            let (a, b) = (site.statusTimestamps[$0], site.statusTimestamps[$1])
            return a != b ? a < b : site.statusOffsets[$0] < site.statusOffsets[$1]
        }
        var flips: [Int64] = []
        var online = false
        var onlineOperators = 0
        var position = 0
        while position < order.count {
            let timestamp = site.statusTimestamps[order[position]]
            while position < order.count && site.statusTimestamps[order[position]] == timestamp {
                let change = site.statusChanges[order[position]]
                let person = Int(change >> 1)
                let operatorOnlineNow: UInt8 = UInt8(change & 1)
                onlineOperators += Int(operatorOnlineNow) - Int(operatorOnline[person])
                operatorOnline[person] = operatorOnlineNow
                position += 1
            }
            if (onlineOperators > 0) != online {
                online.toggle()
                flips.append(timestamp)
            }
        }
        // Leave the scratch all zero for the next site.
        for index in 0..<site.statusCount {
            operatorOnline[Int(site.statusChanges[index] >> 1)] = 0
        }
        return flips
    }
}
