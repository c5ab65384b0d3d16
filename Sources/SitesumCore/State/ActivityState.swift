/// The deterministic state machine behind the summary.
///
/// Everything it holds only grows: the ids seen, each site's message
/// timestamps and status changes, the distinct (site, visitor) and
/// (site, operator) pairs. The summary is a pure function of it (see
/// `summary()`), computed once at the end, so events can arrive in any order.
/// Because nothing is ever removed, a checkpoint can hold just what was added
/// since the previous one (see `ActivityState+Checkpoint.swift`).
public final class ActivityState {
    @usableFromInline var sites = Interner()
    /// Visitor and operator names share one interner; the pair sets keep the roles apart.
    @usableFromInline var people = Interner()
    /// Ids that are not canonical lowercase UUIDs, kept exactly.
    @usableFromInline var otherIDs = Interner()
    @usableFromInline let uuids = FlatSet<UUIDKey>()
    @usableFromInline let visitorPairs = FlatSet<PairKey>()
    @usableFromInline let operatorPairs = FlatSet<PairKey>()
    @usableFromInline var activity: [SiteActivity] = []

    /// Counts of lines by outcome.
    public var tally = Tally()

    /// Whether additions are remembered for the next incremental checkpoint.
    /// Off for `--no-checkpoint`, which saves their memory.
    public let tracksChanges: Bool
    @usableFromInline var pendingUUIDs: [UUIDKey] = []
    @usableFromInline var pendingVisitorPairs: [PairKey] = []
    @usableFromInline var pendingOperatorPairs: [PairKey] = []
    @usableFromInline var committedSites = 0
    @usableFromInline var committedPeople = 0
    @usableFromInline var committedOtherIDs = 0

    public init(tracksChanges: Bool = true) {
        self.tracksChanges = tracksChanges
    }

    /// Applies one valid event found at byte `offset` of the input.
    /// Returns false, changing nothing but the tally, when its id came before.
    @inlinable @discardableResult
    public func apply(_ event: RawEvent, offset: UInt64) -> Bool {
        guard claim(id: event.id) else {
            tally.duplicates += 1
            return false
        }
        tally.events += 1
        let (site, newSite) = sites.intern(event.site)
        if newSite { activity.append(SiteActivity()) }
        let person = people.intern(event.from).index
        let pair = PairKey(site: site, person: person)
        let index = Int(site)
        if event.kind == .message {
            activity[index].messageTimestamps.append(event.timestamp)
            if visitorPairs.insert(pair) {
                activity[index].visitors += 1
                if tracksChanges { pendingVisitorPairs.append(pair) }
            }
        } else {
            activity[index].statusTimestamps.append(event.timestamp)
            activity[index].statusOffsets.append(offset)
            activity[index].statusChanges.append(person << 1 | (event.kind == .online ? 1 : 0))
            if operatorPairs.insert(pair) {
                activity[index].operators += 1
                if tracksChanges { pendingOperatorPairs.append(pair) }
            }
        }
        return true
    }

    /// Records `id` as seen; false when it already was.
    @inlinable
    func claim(id: UnsafeRawBufferPointer) -> Bool {
        if let key = UUIDText.parse(id) {
            guard uuids.insert(key) else { return false }
            if tracksChanges { pendingUUIDs.append(key) }
            return true
        }
        return otherIDs.intern(id).inserted
    }

    /// Distinct ids seen so far.
    public var idCount: Int { uuids.count + otherIDs.count }
}
