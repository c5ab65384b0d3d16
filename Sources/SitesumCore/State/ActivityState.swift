import SitesumPrefetch

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
    /// Each site's columns, by site index; the state owns them (see `deinit`).
    @usableFromInline var activity = RawColumn<SiteActivity>()

    /// Counts of lines by outcome.
    public var tally = Tally()

    /// The UUID ids of a loaded checkpoint (nil until one is loaded; see
    /// `reserveCheckpointedIDs`). `uuids` holds only the ids added since.
    public internal(set) var checkpointedIDs: CheckpointedIDs?
    /// Reads the input line starting at a byte offset (without its "\n"), or
    /// nil when it cannot: how a resumed state compares an id with the
    /// checkpointed ids of the same fingerprint (`CheckpointedIDs`). Set by
    /// whoever loads a checkpoint, before applying events.
    public var checkpointedLines: ((UInt64) -> [UInt8]?)?
    /// Set when a line the checkpoint recorded an id for no longer carries
    /// one with that fingerprint: the input changed under the checkpoint, so
    /// the state cannot be trusted and the run must start over.
    public private(set) var checkpointMismatch: String?
    /// Decodes the lines read back through `checkpointedLines`.
    var lineDecoder = EventDecoder()

    /// Whether additions are remembered for the next incremental checkpoint.
    /// Off for `--no-checkpoint`, which saves their memory.
    public let tracksChanges: Bool
    /// The new ids as a checkpoint stores them. Grown by `realloc`,
    /// without the copy and peak of an array; owned here.
    @usableFromInline var pendingIDs = PendingIDs()
    /// The memory of a written delta's ids, for the next delta (`reuse`).
    var spareIDs = PendingIDs()
    @usableFromInline var pendingVisitorPairs = RawColumn<PairKey>()
    @usableFromInline var pendingOperatorPairs = RawColumn<PairKey>()
    /// The sites with events since the last checkpoint, in the order they
    /// got their first: what a checkpoint looks at, instead of every site.
    /// (A state that does not track changes lists every site once.)
    @usableFromInline var changedSites = RawColumn<UInt32>()
    /// Room for the values a checkpoint copies out of the changed sites'
    /// columns, kept from one checkpoint to the next
    /// (`writeColumnsAndPairs`).
    var checkpointValues: (messages: [Int64], statuses: [StatusChange]) = ([], [])
    @usableFromInline var committedSites = 0
    @usableFromInline var committedPeople = 0

    /// While a checkpoint loads, the pairs' counts by site, which
    /// `finishLoadingCheckpoint` adds to the sites (written by the thread
    /// applying people's records, see `isPeopleRecord`).
    var loading = LoadingCounts()
    /// While a checkpoint loads, the largest operator a status named
    /// (written by the thread applying the sites' records); -1 for none.
    var loadedLargestOperator = -1

    /// The memory of the small columns a loaded checkpoint gave its sites
    /// (used by the thread applying the sites' records).
    let loadedColumns = ColumnArena()
    /// Sites a loaded pair may name: fewer than the checkpoint's events,
    /// each site having at least one (`reserveCheckpointedIDs`).
    var pairSiteLimit = Int(UInt32.max)

    struct LoadingCounts {
        /// By site (grown ahead: longer than the sites named). A site's
        /// pairs are fewer than the people, whose indices are 32-bit.
        var visitors: [UInt32] = []
        var operators: [UInt32] = []
        /// The largest site a pair named; -1 for none.
        var largestSite = -1
    }

    public init(tracksChanges: Bool = true) {
        self.tracksChanges = tracksChanges
    }

    deinit {
        for index in activity.indices { activity.element(index).pointee.deallocate() }
        activity.deallocate()
        pendingIDs.deallocate()
        spareIDs.deallocate()
        pendingVisitorPairs.deallocate()
        pendingOperatorPairs.deallocate()
        changedSites.deallocate()
    }

    /// Applies one valid event found at byte `offset` of the input.
    /// Returns false, changing nothing but the tally, when its id came before.
    @discardableResult
    public func apply(_ event: RawEvent, offset: UInt64) -> Bool {
        let claimed: Bool
        if let key = event.uuidKey {
            claimed = claim(uuid: key, hash: key.hash64, offset: offset)
        } else {
            claimed = claim(otherID: event.id, hash: ByteHash.hash(event.id), offset: offset)
        }
        guard claimed else {
            tally.duplicates += 1
            return false
        }
        record(event.kind, at: event.timestamp, offset: offset,
               site: event.site, siteHash: ByteHash.hash(event.site),
               from: event.from, fromHash: ByteHash.hash(event.from))
        return true
    }

    /// Applies the event of a decoded line (see `DecodedBatch`), read where
    /// it is, exactly as `apply(_:offset:)` would apply it; the decoding
    /// thread did the parsing and hashing.
    @inlinable @inline(__always)
    func apply(_ line: UnsafePointer<DecodedLine>, of batch: DecodedBatch) -> Bool {
        let claimed: Bool
        if let id = line.pointee.id {
            claimed = claim(otherID: batch.name(id), hash: line.pointee.idHash, offset: line.pointee.start,
                            mayBeCheckpointed: line.pointee.mayBeCheckpointed)
        } else {
            claimed = claim(uuid: line.pointee.uuid, hash: line.pointee.idHash, offset: line.pointee.start,
                            mayBeCheckpointed: line.pointee.mayBeCheckpointed)
        }
        guard claimed else {
            tally.duplicates += 1
            return false
        }
        record(line.pointee.outcome.kind, at: line.pointee.timestamp, offset: line.pointee.start,
               site: batch.name(line.pointee.site), siteHash: line.pointee.siteHash,
               from: batch.name(line.pointee.from), fromHash: line.pointee.fromHash)
        return true
    }

    /// Starts loading the id slots that applying lines `range` of `batch`
    /// will probe (`FlatSet.prefetch`, `CheckpointedIDs.prefetch`, and for
    /// an id that is not a UUID the interner's slot).
    @inlinable @inline(__always)
    func prefetchIDs(_ batch: DecodedBatch, _ range: Range<Int>) {
        for index in range {
            let line = batch.lines[index]
            guard line.isEvent else { continue }
            if line.id == nil {
                uuids.prefetch(line.idHash)
            } else {
                otherIDs.prefetchSlot(line.idHash)
            }
            if line.mayBeCheckpointed, let checkpointedIDs { checkpointedIDs.prefetch(line.fingerprint) }
        }
    }

    /// Whether the name tables have grown past what the caches hold, so that
    /// `prefetchNames` and `prefetchSites` pay: a log of many sites, or of
    /// many visitors, whose lookups would otherwise each wait for memory. A
    /// log of a few busy sites keeps its tables in the cache and skips both.
    @inlinable var prefetchesNames: Bool {
        sites.slotCount + people.slotCount > Self.namePrefetchSlots
    }

    /// `prefetchesNames` from this many interner slots on (8 bytes each):
    /// 256 KiB of slots, about what a core's own cache holds.
    @inlinable static var namePrefetchSlots: Int { 32_768 }

    /// Starts loading the interner slots that applying lines `range` of
    /// `batch` reads first: its site's and its sender's. The first step, two
    /// groups ahead; `prefetchSites` follows one group ahead.
    @inlinable @inline(__always)
    func prefetchNames(_ batch: DecodedBatch, _ range: Range<Int>) {
        for index in range {
            let line = batch.lines + index
            let outcome = line.pointee.outcome
            if outcome != .blank && outcome != .malformed {
                sites.prefetchSlot(line.pointee.siteHash)
                people.prefetchSlot(line.pointee.fromHash)
            }
        }
    }

    /// Starts loading what applying lines `range` of `batch` reads once
    /// their names are found: each name's bounds, the site's columns and the
    /// slot of its (site, visitor) or (site, operator) pair. The indices
    /// are guessed from the slots `prefetchNames` brought in (the first with
    /// the hash's tag; a name not yet seen has none), so a wrong guess only
    /// loads a line for nothing.
    @inlinable @inline(__always)
    func prefetchSites(_ batch: DecodedBatch, _ range: Range<Int>) {
        for index in range {
            let line = batch.lines + index
            let outcome = line.pointee.outcome
            guard outcome != .blank && outcome != .malformed,
                  let site = sites.guessIndex(line.pointee.siteHash) else { continue }
            sites.prefetchBounds(site)
            prefetchRecord(site)
            guard let person = people.guessIndex(line.pointee.fromHash) else { continue }
            people.prefetchBounds(person)
            let pair = PairKey(site: UInt32(truncatingIfNeeded: site), person: UInt32(truncatingIfNeeded: person))
            if outcome == .message {
                visitorPairs.prefetch(pair.hash64)
            } else {
                operatorPairs.prefetch(pair.hash64)
            }
        }
    }

    /// Starts loading every cache line of site `site`'s record (it need
    /// not start on one).
    @inlinable @inline(__always)
    func prefetchRecord(_ site: Int) {
        let record = UnsafeRawPointer(activity.element(site))
        var offset = 0
        while offset < MemoryLayout<SiteActivity>.size {
            SitesumPrefetch.prefetch(record + offset)
            offset += 64
        }
        SitesumPrefetch.prefetch(record + (MemoryLayout<SiteActivity>.size - 1))
    }

    /// Makes room for `count` more distinct ids than the state holds now
    /// (beyond those of a loaded checkpoint, which have a table of their
    /// own), so that the id sets never grow (and never hold an old and a new
    /// table at once) on the way. `sample` (`IDSample.read` of the input
    /// ahead) splits them between the UUID set and the interner of other
    /// ids by the share of each among its events, the other ids at their
    /// mean length; a sample without events (an empty one included) leaves
    /// them all to the UUID set. A set that gets more than its share grows
    /// as it fills. The interner is reserved for no more other ids than fit
    /// in half of `memory` (0: no bound), as `count` is for UUIDs (see
    /// `reservableOtherIDs`): past that it grows as it fills.
    public func reserveIDs(additional count: Int, sample: IDSample = IDSample(), memory: UInt64 = 0) {
        guard sample.events > 0 else {
            uuids.reserve(uuids.count + count)
            return
        }
        let uuidCount = (count * sample.uuids + sample.events - 1) / sample.events
        var otherCount = (count * sample.others + sample.events - 1) / sample.events
        if uuidCount > 0 { uuids.reserve(uuids.count + uuidCount) }
        if otherCount > 0 {
            let meanLength = (sample.otherBytes + sample.others - 1) / sample.others
            if memory > 0 { otherCount = min(otherCount, Self.reservableOtherIDs(ofLength: meanLength, inBytes: memory / 2)) }
            otherIDs.reserve(names: otherIDs.count + otherCount, bytes: otherIDs.arena.count + otherCount * meanLength)
        }
    }

    /// The most other ids of `length` bytes whose interner, reserved by
    /// `reserveIDs`, takes about `bytes`: each id's bytes, 8 for its bounds
    /// and about two 8-byte slots (a power of two of them, at most three
    /// quarters full: from 1 1/3 to 2 2/3 slots an id).
    static func reservableOtherIDs(ofLength length: Int, inBytes bytes: UInt64) -> Int {
        Int(bytes / UInt64(length + 8 + 16))
    }

    /// The fewest bytes a line that brings a UUID id takes, its "\n"
    /// included:
    /// `{"id":"xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx","type":"message","from":"","site_id":0,"timestamp":0}`
    /// (a message needs no `data`, and a status does; the keys in another
    /// order take as many bytes, and whitespace or escapes more). So N bytes
    /// of input bring at most N / 99 ids, whatever the lines of a sample
    /// suggest.
    public static let shortestLineWithUUID = 99

    /// The most UUID ids whose set, sized by `reserveIDs`, takes at most
    /// `bytes`.
    public static func reservableIDs(inBytes bytes: UInt64) -> Int {
        Int(Double(bytes) / Double(MemoryLayout<UUIDKey>.stride) * FlatSet<UUIDKey>.plannedLoad)
    }

    /// Makes room for the UUID ids of a checkpoint about to be loaded, at
    /// most `count` of them (the events it counted): its records'
    /// ids go into a table that cannot grow (`CheckpointedIDs`). Call once,
    /// on a fresh state, before `applyCheckpointRecord`.
    public func reserveCheckpointedIDs(_ count: Int) {
        precondition(checkpointedIDs == nil, "the checkpointed ids are reserved once")
        checkpointedIDs = CheckpointedIDs(reserving: count)
        pairSiteLimit = count
    }

    /// Adds a counted event.
    @inlinable @inline(__always)
    func record(
        _ kind: EventKind, at timestamp: Int64, offset: UInt64,
        site siteName: UnsafeRawBufferPointer, siteHash: UInt64,
        from: UnsafeRawBufferPointer, fromHash: UInt64
    ) {
        tally.events += 1
        let (site, newSite) = sites.intern(siteName, hash: siteHash)
        if newSite { activity.append(SiteActivity()) }
        let person = people.intern(from, hash: fromHash).index
        let pair = PairKey(site: site, person: person)
        // In place, by address: see `SiteActivity`.
        let activity = self.activity.element(Int(site))
        if !activity.pointee.isChanged {
            // Without checkpoints, the flag stays set: a site is listed once.
            activity.pointee.isChanged = true
            changedSites.append(site)
        }
        if kind == .message {
            activity.pointee.messageTimestamps.append(timestamp)
            if visitorPairs.insert(pair) {
                activity.pointee.visitors += 1
                if tracksChanges { pendingVisitorPairs.append(pair) }
            }
        } else {
            activity.pointee.appendStatus(person << 1 | (kind == .online ? 1 : 0), at: timestamp, offset: offset)
            if operatorPairs.insert(pair) {
                activity.pointee.operators += 1
                if tracksChanges { pendingOperatorPairs.append(pair) }
            }
        }
    }

    /// Records a UUID id, found on the line at `offset`, as seen; false when
    /// it already was (in this run or in the checkpoint it resumed from).
    /// `mayBeCheckpointed` false: the decoding thread already found that no
    /// checkpointed id has its tag.
    @inlinable @inline(__always)
    func claim(uuid key: UUIDKey, hash: UInt64, offset: UInt64, mayBeCheckpointed: Bool = true) -> Bool {
        let fingerprint = CheckpointedIDs.fingerprint(ofHash: hash)
        if mayBeCheckpointed && checkpointedIDs != nil && isCheckpointed(key, fingerprint: fingerprint) { return false }
        guard uuids.insert(key, hash: hash) else { return false }
        if tracksChanges { pendingIDs.append(fingerprint: fingerprint, offset: offset) }
        return true
    }

    /// Whether the loaded checkpoint holds the UUID `key`: one of its
    /// entries with the same fingerprint is on a line that, read again,
    /// carries exactly `key`.
    @usableFromInline
    func isCheckpointed(_ key: UUIDKey, fingerprint: UInt32) -> Bool {
        isCheckpointed(fingerprint: fingerprint) { $0.uuidKey == key }
    }

    /// Whether the loaded checkpoint holds the id `id`, which is not a
    /// canonical UUID: one of its entries with the same fingerprint is on a
    /// line that, read again, carries exactly these bytes as its id.
    @usableFromInline
    func isCheckpointed(otherID id: UnsafeRawBufferPointer, fingerprint: UInt32) -> Bool {
        isCheckpointed(fingerprint: fingerprint) { event in
            event.id.count == id.count && (id.count == 0 || memcmpEqual(event.id.baseAddress!, id.baseAddress!, id.count))
        }
    }

    /// Whether one of the loaded checkpoint's entries with `fingerprint` is
    /// on a line whose event, read again, `carries` says is the id looked
    /// up. A line that no longer carries an id with the fingerprint the
    /// checkpoint recorded for it means the input changed under the
    /// checkpoint (`checkpointMismatch`).
    func isCheckpointed(fingerprint: UInt32, carries: (RawEvent) -> Bool) -> Bool {
        guard let checkpointedIDs else { return false }
        return checkpointedIDs.firstCandidate(fingerprint) { offset, tag in
            let carried = checkpointedEvent(at: offset) { event -> Bool? in
                guard UInt16(truncatingIfNeeded: Self.fingerprint(ofID: event)) == tag else { return nil }
                return carries(event)
            }
            guard let carried else {
                if checkpointMismatch == nil {
                    checkpointMismatch = "the line at byte \(offset) no longer carries the id the checkpoint recorded for it"
                }
                return false
            }
            return carried
        }
    }

    /// The fingerprint a checkpoint records for the id of `event` (see
    /// `CheckpointedIDs`): for a canonical UUID `UUIDKey.fingerprint`, for
    /// any other id the high half of `ByteHash.hash` of its bytes. Both are
    /// part of the checkpoint format: changing either needs a new format
    /// version.
    static func fingerprint(ofID event: RawEvent) -> UInt32 {
        if let key = event.uuidKey { return key.fingerprint }
        return CheckpointedIDs.fingerprint(ofHash: ByteHash.hash(event.id))
    }

    /// `body` of the event on the input line at `offset`, read again; nil
    /// when the line cannot be read or is not an event.
    func checkpointedEvent<T>(at offset: UInt64, _ body: (RawEvent) -> T?) -> T? {
        guard let read = checkpointedLines else {
            preconditionFailure("a state with checkpointed ids needs `checkpointedLines` to compare ids")
        }
        guard let line = read(offset) else { return nil }
        return line.withUnsafeBytes { bytes in
            guard case .event(let event) = lineDecoder.decode(DecodedBatch.eventBytes(bytes, start: offset)) else { return nil }
            return body(event)
        }
    }

    /// Records an id that is not a canonical UUID, found on the line at
    /// `offset`, as seen; false when it already was (in this run or in the
    /// checkpoint it resumed from). `mayBeCheckpointed` as for a UUID.
    @inlinable
    func claim(otherID id: UnsafeRawBufferPointer, hash: UInt64, offset: UInt64, mayBeCheckpointed: Bool = true) -> Bool {
        let fingerprint = CheckpointedIDs.fingerprint(ofHash: hash)
        if mayBeCheckpointed && checkpointedIDs != nil && isCheckpointed(otherID: id, fingerprint: fingerprint) { return false }
        guard otherIDs.intern(id, hash: hash).inserted else { return false }
        if tracksChanges { pendingIDs.append(fingerprint: fingerprint, offset: offset) }
        return true
    }

    /// Distinct ids seen so far.
    public var idCount: Int { uuids.count + otherIDs.count + (checkpointedIDs?.count ?? 0) }
    /// Sites seen: the summary has a line for each.
    public var siteCount: Int { activity.count }
}

/// A checkpointed id as `CheckpointedIDs` keeps those it inserts one by
/// one: its fingerprint and the input offset of its line.
@usableFromInline
struct CheckpointedID: BitwiseCopyable {
    @usableFromInline var offset: UInt64
    @usableFromInline var fingerprint: UInt32
    @inlinable init(offset: UInt64, fingerprint: UInt32) {
        self.offset = offset
        self.fingerprint = fingerprint
    }
}
