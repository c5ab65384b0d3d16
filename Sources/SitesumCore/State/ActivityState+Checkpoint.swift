import SitesumPrefetch

/// The state as checkpoint records.
///
/// A checkpoint holds what was added since the previous one, as a sequence
/// of records that each fit in about a megabyte, so neither writing nor
/// reading needs a second copy of the state. Every record starts with a tag
/// byte (integers little-endian; "packed" and "deltas" are the encodings of
/// `PackedIntegers.swift`):
///
/// | tag | record | layout after the tag |
/// | --- | --- | --- |
/// | 1 | site names | first index u32, count u32, count × (varint length, bytes) |
/// | 2 | people names | as 1 |
/// | 3 | ids that are not UUIDs, whole (format version 3; not written or read since) | as 1 |
/// | 4 | ids | count u32, count × fingerprint u32, count line offsets as deltas |
/// | 5 | message timestamps | site u32, first index u64, count u32, count timestamps packed |
/// | 6 | statuses of one site (format version 2; not written or read since) | site u32, first index u64, count u32, count timestamps packed, count line offsets as deltas, count × varint (operator << 1 \| online) |
/// | 7 | (site, visitor) pairs | count u32, count × (site u32, person u32) |
/// | 8 | (site, operator) pairs | as 7 |
/// | 9 | message timestamps of several sites | entries u32, entries × (site, first index, count: varints), then all their timestamps packed, site after site |
/// | 10 | statuses of several sites | entries as 9, then all their timestamps packed, line offsets as deltas, varints (operator << 1 \| online) |
///
/// A checkpoint writes only the sites that changed since the one before,
/// in the order of their indices, and the new pairs by site. The sites' new
/// statuses, and their new message timestamps not yet packed in the
/// column's blocks, share records (9, 10) whatever the site: a log of a
/// million sites with a few events each gave each site records of its own
/// at every checkpoint, about 40 bytes each before a single value. Whole
/// packed blocks still go out one per record (5), as they are.
///
/// Ids are not stored, only their fingerprints and the offsets of their
/// lines: a resume reads a line again when it needs the id (`CheckpointedIDs`).
/// A UUID's fingerprint is `UUIDKey.fingerprint`, any other id's the high
/// half of `ByteHash.hash` of its bytes (`ActivityState.fingerprint(ofID:)`).
/// The first indices let reading check that records arrive in the order they
/// were written, on top of the store's checksums.
extension ActivityState {
    enum RecordTag: UInt8 {
        case siteNames = 1, peopleNames, wholeIDs, ids, messages, statuses, visitorPairs, operatorPairs
        case messagesOfSites, statusesOfSites
    }

    /// Target size of one record.
    static let recordBytes = 1 << 20

    /// Writes the records of everything added since the last
    /// `markCheckpointed()` through `emit`, one record per call.
    public func writeCheckpointRecords(_ emit: ([UInt8]) throws -> Void) throws {
        precondition(tracksChanges, "writing checkpoints needs a state that tracks changes")
        try writeNames(.siteNames, sites, from: committedSites, emit)
        try writeNames(.peopleNames, people, from: committedPeople, emit)
        try Self.writeIDs(pendingIDs, emit)
        try writeColumnsAndPairs(marking: false, emit)
    }

    /// What `writeCheckpointRecords` would write, taken out of the state for a
    /// checkpoint writer on another thread, and the state marked as
    /// checkpointed (`markCheckpointed()`).
    ///
    /// The new ids, the biggest part, are moved rather than copied into
    /// records here: the delta turns them into records as they are written,
    /// so a checkpoint holds no second copy of them.
    public func takeCheckpointDelta() -> CheckpointDelta {
        precondition(tracksChanges, "writing checkpoints needs a state that tracks changes")
        var names: [[UInt8]] = []
        var rest: [[UInt8]] = []
        do {
            try writeNames(.siteNames, sites, from: committedSites) { names.append($0) }
            try writeNames(.peopleNames, people, from: committedPeople) { names.append($0) }
            try writeColumnsAndPairs(marking: true) { rest.append($0) }
        } catch {
            preconditionFailure("collecting records cannot fail: \(error)")
        }
        let delta = CheckpointDelta(names: names, ids: TakenIDs(pendingIDs), rest: rest)
        pendingIDs = spareIDs
        spareIDs = PendingIDs()
        markCheckpointed(sitesMarked: true)
        return delta
    }

    /// Takes back the memory of a delta that was written (and will not be
    /// read again) for the next checkpoint's new ids: memory the process
    /// already has costs nothing, where fresh pages cost the kernel's zeroing
    /// (and, on a virtual machine, the host's work to back them) every time.
    public func reuse(_ delta: CheckpointDelta) {
        guard delta.ids.list.capacityBytes > spareIDs.capacityBytes else { return }
        spareIDs.deallocate()
        spareIDs = delta.ids.list
        spareIDs.removeAll()
        delta.ids.list = PendingIDs()
    }

    /// The message and status columns' records of the sites that changed,
    /// then the pairs'.
    ///
    /// Each such site's messages not packed yet are packed into a block of
    /// their own first, when they are many: the messages a checkpoint writes
    /// then start at a block's start (where the last checkpoint packed up
    /// to) and end at a block's end, so they go out as packed blocks, copied.
    /// Packed only into the record, they were packed again when their block
    /// filled, and that block unpacked and its newer part packed again for
    /// the next checkpoint. A block holds at most `PackedColumn.blockValues`;
    /// fewer than `PackedColumn.smallestLoadedBlock` stay as they are (a
    /// block's own bytes would weigh on a few values, at a short save
    /// interval), and go out in records shared with other sites, as do all
    /// new statuses.
    ///
    /// The sites, and the pairs, go out in the order of the sites' indices,
    /// not in the order they changed: with many sites each is a record of
    /// its own in memory (`SiteActivity`), and in that order writing here
    /// and loading on a resume walk those records front to back instead of
    /// meeting a cache miss at each. Each site is visited once: its values
    /// for the shared records are copied out as it is (the records and the
    /// values of the sites ahead asked for meanwhile), and with `marking`
    /// its columns are marked as checkpointed there too
    /// (`markCheckpointed(sitesMarked:)`). A log of a million sites changes
    /// hundreds of thousands of them between checkpoints, and visiting each
    /// three times (for the entries, for their values, to mark them, the
    /// last in the order they changed) took a fifth of such a run.
    private func writeColumnsAndPairs(marking: Bool, _ emit: ([UInt8]) throws -> Void) throws {
        var sharedMessages: [(site: Int, range: Range<Int>)] = []
        var statuses: [(site: Int, range: Range<Int>)] = []
        // The values, in the room the checkpoint before left (fresh memory
        // for each checkpoint's, grown as they come, cost more than copying).
        var (messageValues, statusValues) = checkpointValues
        checkpointValues = ([], [])
        messageValues.removeAll(keepingCapacity: true)
        statusValues.removeAll(keepingCapacity: true)
        defer { checkpointValues = (messageValues, statusValues) }
        var changed = Array(changedSites)
        RadixSort.sort(&changed, bits: 0..<siteIndexBits) { UInt64($0) }
        let ahead = 16
        for (position, changedSite) in changed.enumerated() {
            if position + ahead < changed.count { prefetchRecord(Int(changed[position + ahead])) }
            if position + ahead / 2 < changed.count {
                // Its record came in by now: the new values it points to.
                let later = activity.element(Int(changed[position + ahead / 2]))
                let messages = later.pointee.messageTimestamps
                if let base = messages.recent.base, later.pointee.committedMessages >= messages.packedCount {
                    SitesumPrefetch.prefetch(base + (later.pointee.committedMessages - messages.packedCount))
                }
                if let base = later.pointee.statuses.base { SitesumPrefetch.prefetch(base + later.pointee.committedStatuses) }
            }
            let index = Int(changedSite)
            let site = activity.element(index)
            if site.pointee.messageTimestamps.recent.count >= PackedColumn.smallestLoadedBlock {
                site.pointee.messageTimestamps.packRecent()
            }
            let messages = site.pointee.messageTimestamps
            let newMessages = site.pointee.committedMessages..<messages.count
            if newMessages.lowerBound >= messages.packedCount {
                if !newMessages.isEmpty {
                    sharedMessages.append((index, newMessages))
                    // The values not packed yet are `recent`'s, after the blocks'.
                    let first = messages.packedCount
                    messages.recent.withUnsafeElements((newMessages.lowerBound - first)..<(newMessages.upperBound - first)) {
                        messageValues.append(contentsOf: $0)
                    }
                }
            } else {
                try writeMessages(of: site.pointee, index, emit)
            }
            let newStatuses = site.pointee.committedStatuses..<site.pointee.statusCount
            if !newStatuses.isEmpty {
                statuses.append((index, newStatuses))
                site.pointee.statuses.withUnsafeElements(newStatuses) { statusValues.append(contentsOf: $0) }
            }
            if marking {
                site.pointee.committedMessages = messages.count
                site.pointee.committedStatuses = site.pointee.statusCount
                site.pointee.isChanged = false
            }
        }
        // Each record's values are the next stretch of those copied out.
        var next = 0
        try writeSharedColumns(.messagesOfSites, sharedMessages, width: 8, emit) { writer, count in
            let start = next
            next += count
            messageValues.withUnsafeBufferPointer { writer.writePacked(UnsafeBufferPointer(rebasing: $0[start..<(start + count)])) }
        }
        next = 0
        try writeSharedColumns(.statusesOfSites, statuses, width: 20, emit) { writer, count in
            let start = next
            next += count
            statusValues.withUnsafeBufferPointer { all in
                let part = UnsafeBufferPointer(rebasing: all[start..<(start + count)])
                part.map(\.timestamp).withUnsafeBufferPointer { writer.writePacked($0) }
                writer.writeDeltas(count: count) { part[$0].offset }
                for status in part { writer.writeVarint(UInt64(status.change)) }
            }
        }
        try writePairs(.visitorPairs, pendingVisitorPairs, emit)
        try writePairs(.operatorPairs, pendingOperatorPairs, emit)
    }

    /// Forgets what `writeCheckpointRecords` wrote: call once the checkpoint is durable.
    public func markCheckpointed() {
        markCheckpointed(sitesMarked: false)
    }

    /// `markCheckpointed()`; with `sitesMarked`, the changed sites' columns
    /// were marked already (`writeColumnsAndPairs(marking: true)`).
    func markCheckpointed(sitesMarked: Bool) {
        committedSites = sites.count
        committedPeople = people.count
        pendingIDs.removeAll()
        pendingVisitorPairs.removeAll()
        pendingOperatorPairs.removeAll()
        if !sitesMarked {
            for changed in changedSites {
                let site = activity.element(Int(changed))
                site.pointee.committedMessages = site.pointee.messageTimestamps.count
                site.pointee.committedStatuses = site.pointee.statusCount
                site.pointee.isChanged = false
            }
        }
        changedSites.removeAll()
    }

    /// Whether `record` names sites: applied on two threads at once while
    /// loading (see `isPeopleRecord`).
    public static func isSiteNamesRecord(_ record: UnsafeRawBufferPointer) -> Bool {
        record.first == RecordTag.siteNames.rawValue
    }

    /// Whether `record` holds ids: such records change only the
    /// checkpointed ids, which no other record touches, so while loading they
    /// may be applied on another thread than the rest (each kind still in its
    /// own order).
    public static func isIDRecord(_ record: UnsafeRawBufferPointer) -> Bool {
        record.first == RecordTag.ids.rawValue
    }

    /// Whether `record` holds people's names or pairs: while loading, such
    /// records may be applied on another thread than those of sites and
    /// their columns (each kind in its own order).
    /// Neither kind reads what the other writes: a pair's site and a
    /// status's operator, which name the other kind's entries, are checked
    /// by `finishLoadingCheckpoint`, and the pairs' counts added to their
    /// sites there.
    ///
    /// A record of site names is applied on both: the one interns the
    /// names (`SiteNamesPart.names`), the other gives the sites their
    /// records (`.sites`); `finishLoadingCheckpoint` checks that they agree.
    public static func isPeopleRecord(_ record: UnsafeRawBufferPointer) -> Bool {
        switch record.first.flatMap(RecordTag.init(rawValue:)) {
        case .peopleNames, .visitorPairs, .operatorPairs: true
        default: false
        }
    }

    /// How many ids an id record (`isIDRecord`) says it holds; 0 when it is
    /// too short to say (applying it then reports the damage).
    public static func idCount(ofRecord record: UnsafeRawBufferPointer) -> Int {
        var reader = ByteReader(record)
        guard (try? reader.read(UInt8.self)) == RecordTag.ids.rawValue, let count = try? reader.read(UInt32.self) else { return 0 }
        return Int(count)
    }

    /// Ends loading a checkpoint (`applyCheckpointRecord`): the pairs'
    /// counts go to their sites, the loaded ids into their table, and events
    /// may be applied. Throws when a pair names a site, or a status an
    /// operator, that no record added, or the records held more ids than
    /// the checkpoint counted events.
    public func finishLoadingCheckpoint() throws(DecodingError) {
        guard sites.count == activity.count else { throw DecodingError("site names and sites differ") }
        guard loading.largestSite < activity.count else { throw DecodingError("pair out of range") }
        guard loadedLargestOperator < people.count else { throw DecodingError("operator out of range") }
        for (site, count) in loading.visitors.prefix(activity.count).enumerated() where count > 0 {
            activity.element(site).pointee.visitors += Int(count)
        }
        for (site, count) in loading.operators.prefix(activity.count).enumerated() where count > 0 {
            activity.element(site).pointee.operators += Int(count)
        }
        loading = LoadingCounts()
        loadedLargestOperator = -1
        try finishLoadingCheckpointedIDs()
    }

    /// Lays out the checkpointed ids' table (`CheckpointedIDs.finishLoading`)
    /// once every id record is applied, which may be before the other records
    /// are: it touches nothing else. `finishLoadingCheckpoint` does it too,
    /// when it was not done before. Throws when the records held more ids
    /// than the checkpoint counted events.
    public func finishLoadingCheckpointedIDs() throws(DecodingError) {
        guard checkpointedIDs?.finishLoading() ?? true else {
            throw DecodingError("more ids than the checkpoint counted events")
        }
    }

    /// Applies one record written by `writeCheckpointRecords`. Records must
    /// come in the order they were written, checkpoint after checkpoint, and
    /// `finishLoadingCheckpoint` follow the last.
    ///
    /// `idLane`: for id records (`isIDRecord`), the lane of the checkpointed
    /// ids they go to (`CheckpointedIDs.add(fingerprints:offsets:lane:)`).
    /// Id records may be applied on two threads at once, one per lane; each
    /// lane's records in their order, and the order of the other records
    /// kept on threads of their own: people's (`isPeopleRecord`) on one,
    /// the rest on another, and each record of site names on both (one
    /// part on each, `siteNames`).
    ///
    /// `siteNames`: what of a record of site names to apply, for a record
    /// applied on two threads at once (`SiteNamesPart`); other records
    /// ignore it.
    public func applyCheckpointRecord(
        _ record: UnsafeRawBufferPointer, idLane: Int = 0, siteNames: SiteNamesPart = .both
    ) throws(DecodingError) {
        var reader = ByteReader(record)
        guard let tag = RecordTag(rawValue: try reader.read(UInt8.self)) else {
            throw DecodingError("unknown record tag \(record.first ?? 0)")
        }
        switch tag {
        case .siteNames:
            switch siteNames {
            case .both: try readNames(&reader, into: &sites, "site") { _ in self.activity.append(SiteActivity()) }
            case .names: try readNames(&reader, into: &sites, "site") { _ in }
            case .sites:
                // The names are the other thread's to read and check; the
                // count is enough for the sites' records.
                let first = Int(try reader.read(UInt32.self))
                let count = Int(try reader.read(UInt32.self))
                guard first == activity.count, count <= reader.remaining else { throw DecodingError("site names out of order") }
                for _ in 0..<count { activity.append(SiteActivity()) }
                return
            }
        case .peopleNames:
            try readNames(&reader, into: &people, "name") { _ in }
        case .wholeIDs:
            throw DecodingError("a record of ids stored whole (tag 3), which only format version 3 wrote")
        case .ids:
            let count = Int(try reader.read(UInt32.self))
            guard let checkpointedIDs else { throw DecodingError("ids before `reserveCheckpointedIDs`") }
            let fingerprints = try reader.readBytes(count: UInt64(count) * 4)
            let added = try checkpointedIDs.withOffsets(lane: idLane, count: count) { offsets throws(DecodingError) -> Bool in
                try reader.readDeltas(into: offsets)
                return checkpointedIDs.add(fingerprints: fingerprints, offsets: UnsafeBufferPointer(offsets), lane: idLane)
            }
            guard added else {
                throw DecodingError("more ids than the checkpoint counted events, or an offset out of range")
            }
        case .messages:
            let (site, count) = try readColumnHeader(&reader, existing: { self.activity[$0].messageTimestamps.count })
            activity.element(site).pointee.messageTimestamps.append(packed: try reader.readPackedBytes(count: count), count: count)
            activity.element(site).pointee.committedMessages += count
        case .statuses:
            throw DecodingError("a record of one site's statuses (tag 6), which only format version 2 wrote")
        case .messagesOfSites:
            let entries = try readSharedEntries(&reader)
            let total = entries.reduce(0) { $0 + $1.count }
            var timestamps: [Int64] = []
            timestamps.reserveCapacity(total)
            try reader.readPacked(count: total) { timestamps.append($0) }
            try timestamps.withUnsafeBufferPointer { timestamps throws(DecodingError) in
                var next = 0
                for (site, first, count) in entries {
                    guard site < activity.count else { throw DecodingError("site out of range") }
                    let column = activity.element(site)
                    guard first == UInt64(column.pointee.messageTimestamps.count) else { throw DecodingError("column out of order") }
                    let values = UnsafeBufferPointer(rebasing: timestamps[next..<(next + count)])
                    if first == 0 && count < PackedColumn.blockValues && column.pointee.messageTimestamps.recent.base == nil {
                        // A new column, all in this record (most of a log of
                        // many small sites'): a piece of the arena.
                        column.pointee.messageTimestamps.recent = loadedColumns.column(copying: values)
                    } else {
                        column.pointee.messageTimestamps.append(contentsOf: values)
                    }
                    column.pointee.committedMessages += count
                    next += count
                }
            }
        case .statusesOfSites:
            try readStatuses(&reader, of: try readSharedEntries(&reader))
        case .visitorPairs:
            try readPairs(&reader, visitors: true)
        case .operatorPairs:
            try readPairs(&reader, visitors: false)
        }
        guard reader.isAtEnd else { throw DecodingError("record has trailing bytes") }
    }

    // MARK: - Writing

    private func writeNames(_ tag: RecordTag, _ names: Interner, from first: Int, _ emit: ([UInt8]) throws -> Void) throws {
        var start = first
        while start < names.count {
            var writer = ByteWriter(reservingCapacity: Self.recordBytes + 64)
            writer.write(tag.rawValue)
            writer.write(UInt32(start))
            let countPosition = writer.bytes.count
            writer.write(UInt32(0))
            var end = start
            while end < names.count && writer.bytes.count < Self.recordBytes {
                writer.writeBytes(names.name(end))
                end += 1
            }
            Self.patch(&writer.bytes, at: countPosition, UInt32(end - start))
            try emit(writer.bytes)
            start = end
        }
    }

    /// Records of the new ids (fingerprint and line offset), each at most
    /// about `recordBytes` long.
    static func writeIDs(_ ids: PendingIDs, _ emit: ([UInt8]) throws -> Void) throws {
        let perRecord = recordBytes / 8
        var position = PendingIDs.Position()
        for start in stride(from: 0, to: ids.count, by: perRecord) {
            let range = start..<min(ids.count, start + perRecord)
            // Built in place: the fingerprints, then the offsets' deltas
            // (`PendingIDs.store`), in room for the longest deltas.
            let record = [UInt8](unsafeUninitializedCapacity: 5 + range.count * 4 + ByteWriter.deltasRoom(count: range.count)) {
                out, initialized in
                let raw = UnsafeMutableRawPointer(out.baseAddress!)
                raw.storeBytes(of: RecordTag.ids.rawValue, as: UInt8.self)
                raw.storeBytes(of: UInt32(range.count).littleEndian, toByteOffset: 1, as: UInt32.self)
                let fingerprintsEnd = 5 + range.count * 4
                initialized = fingerprintsEnd + ids.store(range, from: &position, fingerprints: raw + 5,
                                                          offsets: out.baseAddress! + fingerprintsEnd)
            }
            try emit(record)
        }
    }

    /// A site's message timestamps since the last checkpoint: a block of the
    /// column that is whole in them goes out as it is packed, the rest is
    /// packed here (`PackedColumn.forEachPiece`).
    private func writeMessages(of site: SiteActivity, _ index: Int, _ emit: ([UInt8]) throws -> Void) throws {
        var first = site.committedMessages
        func header(_ writer: inout ByteWriter, count: Int) {
            Self.writeColumnHeader(&writer, .messages, site: index, first: first, count: count)
        }
        try site.messageTimestamps.forEachPiece(in: site.committedMessages..<site.messageTimestamps.count) { piece in
            switch piece {
            case let .packed(bytes, count):
                var writer = ByteWriter(reservingCapacity: 17 + bytes.count)
                header(&writer, count: count)
                writer.bytes.append(contentsOf: bytes)
                try emit(writer.bytes)
                first += count
            case let .values(values):
                let perRecord = Self.recordBytes / 8
                for start in stride(from: 0, to: values.count, by: perRecord) {
                    let part = UnsafeBufferPointer(rebasing: values[start..<min(values.count, start + perRecord)])
                    var writer = ByteWriter(reservingCapacity: 26 + part.count * 8)
                    header(&writer, count: part.count)
                    writer.writePacked(part)
                    try emit(writer.bytes)
                    first += part.count
                }
            }
        }
    }

    /// Records of `tag` (9, 10) holding the values `entries` name, site
    /// after site: about `recordBytes` of values a record (counting `width`
    /// bytes a value, about the most one takes), a site's range split
    /// between records where one fills. `values` writes the values of a
    /// record's entries, given how many they are: each record's are the
    /// next stretch of all the entries' values, taken in order.
    private func writeSharedColumns(
        _ tag: RecordTag, _ entries: [(site: Int, range: Range<Int>)], width: Int, _ emit: ([UInt8]) throws -> Void,
        values: (inout ByteWriter, Int) -> Void
    ) throws {
        let perRecord = Self.recordBytes / width
        var next = 0
        var rest = entries.first?.range ?? 0..<0
        while next < entries.count {
            var taken: [(site: Int, range: Range<Int>)] = []
            var room = perRecord
            while next < entries.count && room > 0 {
                let part = rest.lowerBound..<min(rest.upperBound, rest.lowerBound + room)
                taken.append((entries[next].site, part))
                room -= part.count
                rest = part.upperBound..<rest.upperBound
                if rest.isEmpty {
                    next += 1
                    if next < entries.count { rest = entries[next].range }
                }
            }
            var writer = ByteWriter(reservingCapacity: 5 + taken.count * 8 + (perRecord - room) * width)
            writer.write(tag.rawValue)
            writer.write(UInt32(taken.count))
            for (site, range) in taken {
                writer.writeVarint(UInt64(site))
                writer.writeVarint(UInt64(range.lowerBound))
                writer.writeVarint(UInt64(range.count))
            }
            values(&writer, perRecord - room)
            try emit(writer.bytes)
        }
    }

    /// The 17 bytes a column record starts with: its tag, the site, the index
    /// of its first value in the site's column, and how many values follow
    /// (`readColumnHeader` reads the last three).
    private static func writeColumnHeader(_ writer: inout ByteWriter, _ tag: RecordTag, site: Int, first: Int, count: Int) {
        writer.write(tag.rawValue)
        writer.write(UInt32(site))
        writer.write(UInt64(first))
        writer.write(UInt32(count))
    }

    /// Records of the new pairs, by site (see `writeColumnsAndPairs`).
    private func writePairs(_ tag: RecordTag, _ pending: RawColumn<PairKey>, _ emit: ([UInt8]) throws -> Void) throws {
        var pairs = Array(pending)
        RadixSort.sort(&pairs, bits: 32..<(32 + siteIndexBits)) { $0.value }
        let perRecord = Self.recordBytes / 8
        for start in stride(from: 0, to: pairs.count, by: perRecord) {
            let range = start..<min(pairs.count, start + perRecord)
            var writer = ByteWriter(reservingCapacity: 5 + range.count * 8)
            writer.write(tag.rawValue)
            writer.write(UInt32(range.count))
            pairs[range].withUnsafeBytes { bytes in
                bytes.withMemoryRebound(to: UInt64.self) { writer.write(contentsOf: $0) }
            }
            try emit(writer.bytes)
        }
    }

    /// The bits a site's index takes, at most.
    private var siteIndexBits: Int { UInt64.bitWidth - UInt64(activity.count).leadingZeroBitCount }

    private static func patch(_ bytes: inout [UInt8], at position: Int, _ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { raw in
            for i in 0..<4 { bytes[position + i] = raw[i] }
        }
    }

    // MARK: - Reading

    private func readNames(
        _ reader: inout ByteReader, into names: inout Interner, _ what: String, added: (Int) -> Void
    ) throws(DecodingError) {
        let first = Int(try reader.read(UInt32.self))
        let count = Int(try reader.read(UInt32.self))
        guard first == names.count else { throw DecodingError("\(what) names out of order") }
        for _ in 0..<count {
            let (index, inserted) = names.intern(try reader.readBytes())
            guard inserted else { throw DecodingError("\(what) stored twice") }
            added(Int(index))
        }
    }

    private func readColumnHeader(
        _ reader: inout ByteReader, existing: (Int) -> Int
    ) throws(DecodingError) -> (site: Int, count: Int) {
        let site = Int(try reader.read(UInt32.self))
        let first = try reader.read(UInt64.self)
        let count = Int(try reader.read(UInt32.self))
        guard site < activity.count else { throw DecodingError("site out of range") }
        guard first == UInt64(existing(site)) else { throw DecodingError("column out of order") }
        return (site, count)
    }

    /// The entries a record of several sites' values starts with: (site,
    /// index of its first value, number of values), unchecked but for
    /// their number, which must leave room for them (three bytes each) and
    /// the values in all fewer than `recordBytes`.
    private func readSharedEntries(_ reader: inout ByteReader) throws(DecodingError) -> [(site: Int, first: UInt64, count: Int)] {
        let count = Int(try reader.read(UInt32.self))
        guard count <= reader.remaining / 3 else { throw DecodingError("record ends early") }
        var entries: [(site: Int, first: UInt64, count: Int)] = []
        entries.reserveCapacity(count)
        var values = 0
        for _ in 0..<count {
            let site = try reader.readVarint(), first = try reader.readVarint(), length = try reader.readVarint()
            guard site < UInt64(UInt32.max), length > 0, length <= UInt64(Self.recordBytes - values) else {
                throw DecodingError("column entry out of range")
            }
            values += Int(length)
            entries.append((Int(site), first, Int(length)))
        }
        return entries
    }

    /// The statuses of a record of several sites' (`entries`: the sites, the
    /// index of each one's first, how many), written one site after another:
    /// all timestamps packed, all line offsets as deltas, all changes as
    /// varints.
    private func readStatuses(_ reader: inout ByteReader, of entries: [(site: Int, first: UInt64, count: Int)]) throws(DecodingError) {
        let total = entries.reduce(0) { $0 + $1.count }
        var timestamps: [Int64] = []
        var offsets: [UInt64] = []
        timestamps.reserveCapacity(total)
        offsets.reserveCapacity(total)
        try reader.readPacked(count: total) { timestamps.append($0) }
        try reader.readDeltas(count: total) { offsets.append($0) }
        var next = 0
        for (site, first, count) in entries {
            guard site < activity.count else { throw DecodingError("site out of range") }
            let column = activity.element(site)
            guard first == UInt64(column.pointee.statusCount) else { throw DecodingError("column out of order") }
            var largestOperator = loadedLargestOperator
            func change() throws(DecodingError) -> UInt32 {
                let change = try reader.readVarint()
                guard change <= UInt64(UInt32.max) else { throw DecodingError("operator out of range") }
                largestOperator = max(largestOperator, Int(change >> 1))
                return UInt32(change)
            }
            if first == 0 && column.pointee.statuses.base == nil {
                // A new column, all in this record (most of a log of many
                // small sites'): a piece of the arena, of exactly its size.
                // (A column that has some grows by doubling, as records come.)
                let memory = loadedColumns.allocate(StatusChange.self, count: count)
                for i in 0..<count {
                    (memory + i).initialize(to: StatusChange(timestamp: timestamps[next + i], offset: offsets[next + i], change: try change()))
                }
                column.pointee.statuses = RawColumn(borrowing: memory, count: count)
            } else {
                for i in next..<(next + count) {
                    column.pointee.appendStatus(try change(), at: timestamps[i], offset: offsets[i])
                }
            }
            loadedLargestOperator = largestOperator
            column.pointee.committedStatuses += count
            next += count
        }
    }

    /// Visitor or operator pairs into their set, each counted for its site
    /// in `loading` (grown as sites come; `finishLoadingCheckpoint` checks
    /// the largest site named against the sites).
    private func readPairs(_ reader: inout ByteReader, visitors: Bool) throws(DecodingError) {
        let set = visitors ? visitorPairs : operatorPairs
        // Counted in a local, out of the state (the column and the largest
        // site are two of its fields, mutated together).
        var counts = LoadingCounts()
        swap(&counts, &loading)
        defer { swap(&counts, &loading) }
        let count = Int(try reader.read(UInt32.self))
        guard count <= reader.remaining / 8 else { throw DecodingError("record ends early") }
        func add(_ site: Int, to column: inout [UInt32]) {
            if site >= column.count {
                column.append(contentsOf: repeatElement(0, count: max(site + 1 - column.count, column.count)))
            }
            column[site] += 1
        }
        for _ in 0..<count {
            let pair = PairKey(try reader.read(UInt64.self))
            let site = Int(pair.site)
            guard site < pairSiteLimit, Int(pair.person) < people.count else {
                throw DecodingError("pair out of range")
            }
            guard set.insert(pair) else { throw DecodingError("pair stored twice") }
            if visitors { add(site, to: &counts.visitors) } else { add(site, to: &counts.operators) }
            counts.largestSite = max(counts.largestSite, site)
        }
    }
}

/// What of a record of site names `ActivityState.applyCheckpointRecord`
/// applies: while a checkpoint loads on several threads, the thread of
/// people's records interns the names (`names`) and the thread of the
/// sites' columns gives them their records (`sites`), so that neither
/// waits for the other; applied on one thread, `both`.
public enum SiteNamesPart: Sendable {
    case both, names, sites
}

/// One checkpoint's worth of state records, taken from an `ActivityState`
/// by `takeCheckpointDelta()` to be written elsewhere (another thread).
public struct CheckpointDelta: @unchecked Sendable {
    // @unchecked: the id list was moved out of the state, which never
    // touches it again; whoever holds the delta owns it.
    let names: [[UInt8]]
    let ids: TakenIDs
    let rest: [[UInt8]]

    /// Emits the records, in the order `writeCheckpointRecords` would.
    public func forEachRecord(_ emit: ([UInt8]) throws -> Void) throws {
        for record in names { try emit(record) }
        try ActivityState.writeIDs(ids.list, emit)
        for record in rest { try emit(record) }
    }
}

/// The new ids of a `CheckpointDelta`, owned by it: freed with it, unless
/// the state takes their memory back for the next delta
/// (`ActivityState.reuse`).
final class TakenIDs {
    var list: PendingIDs

    init(_ list: PendingIDs) { self.list = list }

    deinit { list.deallocate() }
}
