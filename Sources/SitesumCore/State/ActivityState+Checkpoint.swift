/// The state as checkpoint records.
///
/// A checkpoint holds what was added since the previous one (or everything,
/// when the store compacts), as a sequence of records that each fit in about
/// a megabyte, so neither writing nor reading needs a second copy of the
/// state. Every record starts with a tag byte:
///
/// | tag | record | layout after the tag (integers little-endian) |
/// | --- | --- | --- |
/// | 1 | site names | first index u32, count u32, count × (varint length, bytes) |
/// | 2 | people names | as 1 |
/// | 3 | ids that are not UUIDs | as 1 |
/// | 4 | UUID ids | count u32, count × (high u64, low u64) |
/// | 5 | message timestamps | site u32, first index u64, count u32, count × i64 |
/// | 6 | statuses | site u32, first index u64, count u32, count × (timestamp i64, offset u64, operator << 1 \| online u32) |
/// | 7 | (site, visitor) pairs | count u32, count × (site u32, person u32) |
/// | 8 | (site, operator) pairs | as 7 |
///
/// The first indices let reading check that records arrive in the order they
/// were written, on top of the store's checksums.
extension ActivityState {
    enum RecordTag: UInt8 {
        case siteNames = 1, peopleNames, otherIDs, uuids, messages, statuses, visitorPairs, operatorPairs
    }

    /// Target size of one record.
    static let recordBytes = 1 << 20

    /// Writes the records of everything added since the last
    /// `markCheckpointed()` — or of the whole state when `full` is true —
    /// through `emit`, one record per call.
    public func writeCheckpointRecords(full: Bool, _ emit: ([UInt8]) throws -> Void) throws {
        precondition(tracksChanges, "writing checkpoints needs a state that tracks changes")
        try writeNames(.siteNames, sites, from: full ? 0 : committedSites, emit)
        try writeNames(.peopleNames, people, from: full ? 0 : committedPeople, emit)
        try writeNames(.otherIDs, otherIDs, from: full ? 0 : committedOtherIDs, emit)
        if full {
            let all = Column<UUIDKey>()
            all.storage.reserveCapacity(uuids.count)
            uuids.forEach { all.storage.append($0) }
            try Self.writeUUIDs(all.storage, emit)
        } else {
            try Self.writeUUIDs(pendingUUIDs, emit)
        }
        try writeColumnsAndPairs(full: full, emit)
    }

    /// What `writeCheckpointRecords(full: false)` would write, taken out of the
    /// state for a checkpoint writer on another thread, and the state marked
    /// as checkpointed (`markCheckpointed()`).
    ///
    /// The new UUID ids, the biggest part, are moved rather than copied into
    /// records here: the delta turns them into records as they are written,
    /// so a checkpoint holds no second copy of them.
    public func takeCheckpointDelta() -> CheckpointDelta {
        precondition(tracksChanges, "writing checkpoints needs a state that tracks changes")
        var names: [[UInt8]] = []
        var rest: [[UInt8]] = []
        do {
            try writeNames(.siteNames, sites, from: committedSites) { names.append($0) }
            try writeNames(.peopleNames, people, from: committedPeople) { names.append($0) }
            try writeNames(.otherIDs, otherIDs, from: committedOtherIDs) { names.append($0) }
            try writeColumnsAndPairs(full: false) { rest.append($0) }
        } catch {
            preconditionFailure("collecting records cannot fail: \(error)")
        }
        let delta = CheckpointDelta(names: names, uuids: Column(adopting: pendingUUIDs), rest: rest)
        pendingUUIDs = spareUUIDs
        spareUUIDs = RawColumn()
        markCheckpointed()
        return delta
    }

    /// Takes back the memory of a delta that was written (and will not be
    /// read again) for the next checkpoint's new ids: memory the process
    /// already has costs nothing, where fresh pages cost the kernel's zeroing
    /// (and, on a virtual machine, the host's work to back them) every time.
    public func reuse(_ delta: CheckpointDelta) {
        guard delta.uuids.storage.capacity > spareUUIDs.capacity else { return }
        spareUUIDs.deallocate()
        spareUUIDs = delta.uuids.storage
        spareUUIDs.removeAll()
        delta.uuids.storage = RawColumn()
    }

    /// The message and status columns' records, then the pairs'.
    private func writeColumnsAndPairs(full: Bool, _ emit: ([UInt8]) throws -> Void) throws {
        for (index, site) in activity.enumerated() {
            try writeColumn(.messages, site: index, from: full ? 0 : site.committedMessages,
                            count: site.messageTimestamps.count, width: 8, emit) { writer, range in
                site.messageTimestamps.withUnsafeElements(range) { writer.write(contentsOf: $0) }
            }
            try writeColumn(.statuses, site: index, from: full ? 0 : site.committedStatuses,
                            count: site.statusCount, width: 20, emit) { writer, range in
                for i in range {
                    writer.write(site.statusTimestamps[i])
                    writer.write(site.statusOffsets[i])
                    writer.write(site.statusChanges[i])
                }
            }
        }
        try writePairs(.visitorPairs, full ? nil : pendingVisitorPairs, all: visitorPairs, emit)
        try writePairs(.operatorPairs, full ? nil : pendingOperatorPairs, all: operatorPairs, emit)
    }

    /// Forgets what `writeCheckpointRecords` wrote: call once the checkpoint is durable.
    public func markCheckpointed() {
        committedSites = sites.count
        committedPeople = people.count
        committedOtherIDs = otherIDs.count
        pendingUUIDs.removeAll()
        pendingVisitorPairs.removeAll()
        pendingOperatorPairs.removeAll()
        for index in activity.indices {
            let site = activity.element(index)
            site.pointee.committedMessages = site.pointee.messageTimestamps.count
            site.pointee.committedStatuses = site.pointee.statusCount
        }
    }

    /// Applies one record written by `writeCheckpointRecords`. Records must
    /// come in the order they were written, checkpoint after checkpoint.
    public func applyCheckpointRecord(_ record: UnsafeRawBufferPointer) throws(DecodingError) {
        var reader = ByteReader(record)
        guard let tag = RecordTag(rawValue: try reader.read(UInt8.self)) else {
            throw DecodingError("unknown record tag \(record.first ?? 0)")
        }
        switch tag {
        case .siteNames:
            try readNames(&reader, into: &sites, "site") { _ in self.activity.append(SiteActivity()) }
        case .peopleNames:
            try readNames(&reader, into: &people, "name") { _ in }
        case .otherIDs:
            try readNames(&reader, into: &otherIDs, "id") { _ in }
        case .uuids:
            let count = Int(try reader.read(UInt32.self))
            // Keys go in a group at a time, their slots loaded together first
            // (see `FlatSet.touch`): a resume inserts millions of them.
            var group: [(key: UUIDKey, hash: UInt64)] = []
            group.reserveCapacity(LineIngestor.touchGroup)
            var remaining = count
            while remaining > 0 {
                group.removeAll(keepingCapacity: true)
                for _ in 0..<min(remaining, LineIngestor.touchGroup) {
                    let key = UUIDKey(high: try reader.read(), low: try reader.read())
                    group.append((key, key.hash64))
                }
                remaining -= group.count
                var sum: UInt64 = 0
                for entry in group { sum &+= uuids.touch(entry.hash) }
                touched &+= sum
                for entry in group {
                    guard uuids.insert(entry.key, hash: entry.hash) else { throw DecodingError("id stored twice") }
                }
            }
        case .messages:
            let (site, count) = try readColumnHeader(&reader, existing: { self.activity[$0].messageTimestamps.count })
            activity.element(site).pointee.messageTimestamps.append(littleEndian: try reader.readBytes(count: UInt64(count) * 8))
        case .statuses:
            let (site, count) = try readColumnHeader(&reader, existing: { self.activity[$0].statusCount })
            for _ in 0..<count {
                let timestamp: Int64 = try reader.read()
                let offset: UInt64 = try reader.read()
                let change: UInt32 = try reader.read()
                guard Int(change >> 1) < people.count else { throw DecodingError("operator out of range") }
                activity.element(site).pointee.appendStatus(change, at: timestamp, offset: offset)
            }
        case .visitorPairs:
            try readPairs(&reader, into: visitorPairs) { self.activity.element($0).pointee.visitors += 1 }
        case .operatorPairs:
            try readPairs(&reader, into: operatorPairs) { self.activity.element($0).pointee.operators += 1 }
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

    /// UUID records of about `recordBytes` each.
    static func writeUUIDs(_ keys: RawColumn<UUIDKey>, _ emit: ([UInt8]) throws -> Void) throws {
        let perRecord = recordBytes / 16
        for start in stride(from: 0, to: keys.count, by: perRecord) {
            let range = start..<min(keys.count, start + perRecord)
            var writer = ByteWriter(reservingCapacity: 5 + range.count * 16)
            writer.write(RecordTag.uuids.rawValue)
            writer.write(UInt32(range.count))
            // A key is its high then its low word, as the record lays them out.
            keys.withUnsafeElements(range) { keys in
                UnsafeRawBufferPointer(keys).withMemoryRebound(to: UInt64.self) { writer.write(contentsOf: $0) }
            }
            try emit(writer.bytes)
        }
    }

    private func writeColumn(
        _ tag: RecordTag, site: Int, from first: Int, count: Int, width: Int,
        _ emit: ([UInt8]) throws -> Void, elements: (inout ByteWriter, Range<Int>) -> Void
    ) throws {
        let perRecord = Self.recordBytes / width
        var start = first
        while start < count {
            let end = min(count, start + perRecord)
            var writer = ByteWriter(reservingCapacity: 17 + (end - start) * width)
            writer.write(tag.rawValue)
            writer.write(UInt32(site))
            writer.write(UInt64(start))
            writer.write(UInt32(end - start))
            elements(&writer, start..<end)
            try emit(writer.bytes)
            start = end
        }
    }

    private func writePairs(_ tag: RecordTag, _ pending: RawColumn<PairKey>?, all: FlatSet<PairKey>, _ emit: ([UInt8]) throws -> Void) throws {
        var batch: [PairKey] = []
        func flush() throws {
            var writer = ByteWriter(reservingCapacity: 5 + batch.count * 8)
            writer.write(tag.rawValue)
            writer.write(UInt32(batch.count))
            batch.withUnsafeBufferPointer { pairs in
                UnsafeRawBufferPointer(pairs).withMemoryRebound(to: UInt64.self) { writer.write(contentsOf: $0) }
            }
            try emit(writer.bytes)
            batch.removeAll(keepingCapacity: true)
        }
        let perRecord = Self.recordBytes / 8
        if let pending {
            for start in stride(from: 0, to: pending.count, by: perRecord) {
                pending.withUnsafeElements(start..<min(pending.count, start + perRecord)) { batch.append(contentsOf: $0) }
                try flush()
            }
        } else {
            try all.forEach { pair in
                batch.append(pair)
                if batch.count == perRecord { try flush() }
            }
            if !batch.isEmpty { try flush() }
        }
    }

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

    private func readPairs(
        _ reader: inout ByteReader, into set: FlatSet<PairKey>, counted: (Int) -> Void
    ) throws(DecodingError) {
        let count = Int(try reader.read(UInt32.self))
        for _ in 0..<count {
            let pair = PairKey(try reader.read(UInt64.self))
            guard Int(pair.site) < activity.count, Int(pair.person) < people.count else {
                throw DecodingError("pair out of range")
            }
            guard set.insert(pair) else { throw DecodingError("pair stored twice") }
            counted(Int(pair.site))
        }
    }
}

/// One checkpoint's worth of state records, taken from an `ActivityState`
/// by `takeCheckpointDelta()` to be written elsewhere (another thread).
public struct CheckpointDelta: @unchecked Sendable {
    // @unchecked: the id column was moved out of the state, which never
    // touches it again; whoever holds the delta owns it.
    let names: [[UInt8]]
    let uuids: Column<UUIDKey>
    let rest: [[UInt8]]

    /// Emits the records, in the order `writeCheckpointRecords` would.
    public func forEachRecord(_ emit: ([UInt8]) throws -> Void) throws {
        for record in names { try emit(record) }
        try ActivityState.writeUUIDs(uuids.storage, emit)
        for record in rest { try emit(record) }
    }
}
