import SitesumGenerator
import Testing
@testable import SitesumCore

/// The storage under the state: the id set sized in advance, the columns,
/// the online timeline and the checkpoint delta.
@Suite struct StateMemoryTests {
    func keys(_ count: Int, seed: UInt64) -> [UUIDKey] {
        var random = SplitMix64(state: seed)
        return (0..<count).map { _ in UUIDKey(high: random.next(), low: random.next()) }
    }

    /// The shortest line that brings a UUID id is as long as
    /// `ActivityState.shortestLineWithUUID` says, "\n" included: a message
    /// with every field at its shortest, in any key order, takes the id set
    /// a key; without its `from`, or as a status (which needs its `data`),
    /// the same line makes no event.
    @Test func theShortestLineWithAUUIDIsAsLongAsTheSizingAssumes() {
        let id = "\"id\":\"7f360d94-ecae-4d8e-a26a-e11cea7bde2b\""
        let fields = [id, "\"type\":\"message\"", "\"from\":\"\"", "\"site_id\":0", "\"timestamp\":0"]
        for order in [fields, fields.reversed(), [fields[2], fields[0], fields[4], fields[1], fields[3]]] {
            let line = "{" + order.joined(separator: ",") + "}"
            #expect(line.utf8.count + 1 == ActivityState.shortestLineWithUUID, "\(line)")
            let state = InMemoryRun.state(of: Array((line + "\n").utf8))
            #expect(state.uuids.count == 1 && state.tally.events == 1, "\(line)")
        }
        for shorter in [
            "{\(id),\"type\":\"message\",\"site_id\":0,\"timestamp\":0}",
            "{\(id),\"type\":\"status\",\"from\":\"\",\"site_id\":0,\"timestamp\":0}",
        ] {
            #expect(InMemoryRun.state(of: Array((shorter + "\n").utf8)).tally.events == 0, "\(shorter)")
        }
    }

    @Test(arguments: [0, 1, 13, 1000, 100_000])
    func reservedSetNeverReallocates(_ count: Int) {
        let set = FlatSet<UUIDKey>()
        set.reserve(count)
        let slots = set.slots
        let capacity = set.capacity
        for key in keys(count, seed: UInt64(count)) { #expect(set.insert(key)) }
        #expect(set.slots == slots && set.capacity == capacity)
        #expect(set.count == count)
        // Sized for the count at the planned load, not rounded up to a power of two.
        #expect(capacity <= max(FlatSet<UUIDKey>.capacity(for: 16), Int(Double(count) / FlatSet<UUIDKey>.plannedLoad) + 2))
    }

    @Test func setFindsEveryKeyAcrossGrowthAndReserve() {
        let set = FlatSet<UUIDKey>()
        let all = keys(50_000, seed: 9)
        for (index, key) in all.enumerated() {
            #expect(set.insert(key))
            if index == 20_000 { set.reserve(60_000) }
        }
        #expect(set.count == all.count)
        for key in all { #expect(!set.insert(key)) }
        #expect(set.insert(.zero) && !set.insert(.zero))
        var seen = 0
        set.forEach { _ in seen += 1 }
        #expect(seen == all.count + 1)
    }

    /// Every entry of the checkpointed ids is found among the candidates of
    /// its fingerprint; the table takes exactly the count it was sized for.
    ///
    /// Offsets are mostly like a file's (a few hundred bytes apart), some too
    /// large for the compact form loading stages them in; with `clustered`,
    /// two thirds of the fingerprints share their top bit, so the first
    /// region of the table overflows and the rest of its entries are inserted
    /// the ordinary way.
    ///
    /// The entries go to the table's two lanes in chunks, in turn, as a
    /// resume's id records do; the table reserved for them exactly takes
    /// no more, on either lane or on both together.
    @Test(arguments: [(0, false), (1, false), (1000, false), (50_000, false), (400_000, false), (40_000, true)])
    func checkpointedIDsFindEveryEntry(_ count: Int, clustered: Bool) {
        var random = SplitMix64(state: UInt64(count) + 1)
        let ids = CheckpointedIDs(reserving: count)
        var offset: UInt64 = 0
        let entries = (0..<count).map { index in
            var fingerprint = UInt32(truncatingIfNeeded: random.next())
            if clustered && index % 3 != 0 { fingerprint &= 0x7FFF_FFFF }
            offset += 50 + random.next() % 500
            let large = random.next() % 100 == 0
            return (fingerprint: fingerprint, offset: large ? CheckpointedIDs.maximumOffset - random.next() % 1000 : offset)
        }
        for (index, entry) in entries.enumerated() {
            #expect(ids.add(fingerprint: entry.fingerprint, offset: entry.offset, lane: index / 700 % 2))
        }
        #expect(ids.count == count)
        if count > 700 {
            // Each lane holds fewer than reserved, both together exactly as many.
            let overfull = CheckpointedIDs(reserving: count)
            for (index, entry) in entries.enumerated() {
                #expect(overfull.add(fingerprint: entry.fingerprint, offset: entry.offset, lane: index / 700 % 2))
            }
            #expect(overfull.add(fingerprint: 1, offset: 0, lane: 1), "one more than reserved, on a lane with room")
            #expect(!overfull.finishLoading(), "one more than reserved, on both lanes")
        }
        let single = CheckpointedIDs(reserving: count)
        for entry in entries { #expect(single.add(fingerprint: entry.fingerprint, offset: entry.offset)) }
        #expect(!single.add(fingerprint: 1, offset: 0), "one more than reserved, on one lane")
        #expect(ids.finishLoading())
        let large = entries.count { $0.offset > 1 << 40 }
        if clustered {
            #expect(ids.insertedOneByOne > large + count / 10, "the overflowing region's entries")
        } else {
            #expect(ids.insertedOneByOne >= large && ids.insertedOneByOne <= large + count / 100)
        }
        for entry in entries {
            var seen: [UInt64] = []
            let found = ids.firstCandidate(entry.fingerprint) { offset, tag in
                seen.append(offset)
                #expect(tag == UInt16(truncatingIfNeeded: entry.fingerprint))
                return offset == entry.offset
            }
            #expect(found)
            if !clustered { #expect(seen.count < 20, "a probe run of \(seen.count)") }
        }
        let far = CheckpointedIDs(reserving: 2)
        #expect(!far.add(fingerprint: 1, offset: CheckpointedIDs.maximumOffset + 1))
        #expect(far.add(fingerprint: 1, offset: CheckpointedIDs.maximumOffset))
        #expect(far.finishLoading())
        #expect(far.firstCandidate(1) { offset, _ in offset == CheckpointedIDs.maximumOffset })
    }

    /// The statuses' order for the summary (a radix sort of timestamps and
    /// changes when the column is in file order) against sorting by
    /// (timestamp, offset): the same timestamps and changes, in the same order.
    @Test(arguments: [(0, UInt64(10)), (1, 10), (65, 1), (5000, 3), (5000, 86_400), (5000, 1 << 40), (5000, .max), (200_000, 1 << 20)])
    func statusesComeInOrderOfTimestampThenOffset(_ count: Int, span: UInt64) {
        var random = SplitMix64(state: UInt64(count) &+ span)
        // Changes of 1, 11 and 32 bits: with a span of 2^40, the last leave
        // no room for the radix sort's keys.
        for (inFileOrder, people) in [(true, UInt64(1)), (true, 1000), (true, 1 << 31), (false, 1000)] {
            var site = SiteActivity()
            defer { site.deallocate() }
            var offset: UInt64 = 1000
            for index in 0..<count {
                // Out of file order, the offsets are still distinct, so that the order is one.
                offset = inFileOrder ? offset + 1 + random.next() % 300 : UInt64(index) &* 7919 % 1_000_003
                let timestamp = Int64(bitPattern: 0x7FFF_0000_0000_0000 &+ (span == .max ? random.next() : random.next() % span))
                let change = UInt32(random.next() % people) << 1 | UInt32(random.next() % 2)
                site.appendStatus(change, at: timestamp, offset: offset)
            }
            let expected = (0..<count).sorted {
                let (a, b) = (site.statuses[$0], site.statuses[$1])
                return a.timestamp != b.timestamp ? a.timestamp < b.timestamp : a.offset < b.offset
            }
            var timestamps: [Int64] = []
            var changes: [UInt32] = []
            ActivityState.forEachStatusInOrder(site) { timestamp, change in
                timestamps.append(timestamp)
                changes.append(change)
            }
            #expect(timestamps == expected.map { site.statuses[$0].timestamp })
            #expect(changes == expected.map { site.statuses[$0].change })
        }
    }

    /// A small packed record loaded into a column takes room for its own
    /// values (doubling as more come), not a whole block's: a resume gives
    /// every site of the checkpoint its records, and half a megabyte a site
    /// made gigabytes of a checkpoint of many small sites.
    @Test func aSmallLoadedRecordTakesRoomForItsValues() throws {
        var column = PackedColumn()
        defer { column.deallocate() }
        for round in 1...3 {
            let values: [Int64] = [1_700_000_000, 1_700_000_007, 1_700_000_003]
            var writer = ByteWriter()
            values.withUnsafeBufferPointer { writer.writePacked($0) }
            try writer.bytes.withUnsafeBytes { raw in
                var reader = ByteReader(raw)
                column.append(packed: try reader.readPackedBytes(count: values.count), count: values.count)
            }
            #expect(column.count == 3 * round)
            #expect(column.recent.capacity <= 4 * column.count, "\(column.recent.capacity) for \(column.count) values")
        }
    }

    /// A packed column hands out exactly the values appended to it, over any
    /// range, whether they came one by one (packed a block at a time) or as
    /// packed records, small (unpacked) or large (kept as blocks).
    @Test(arguments: [0, 1, 70_000, 200_000])
    func packedColumnHoldsItsValues(_ count: Int) throws {
        var random = SplitMix64(state: UInt64(count) + 7)
        var column = PackedColumn()
        defer { column.deallocate() }
        var expected: [Int64] = []
        while expected.count < count {
            let run = min(count - expected.count, Int(random.next() % 20_000) + 1)
            let span = [UInt64(0), 1, 86_400, 1 << 40, .max][Int(random.next() % 5)]
            let values = (0..<run).map { _ in Int64(bitPattern: span == .max ? random.next() : 1_700_000_000 &+ random.next() % (span + 1)) }
            if random.next() % 2 == 0 {
                for value in values { column.append(value) }
            } else {
                var writer = ByteWriter()
                values.withUnsafeBufferPointer { writer.writePacked($0) }
                try writer.bytes.withUnsafeBytes { raw in
                    var reader = ByteReader(raw)
                    column.append(packed: try reader.readPackedBytes(count: run), count: run)
                    #expect(reader.isAtEnd)
                }
            }
            expected += values
        }
        #expect(column.count == count)
        #expect(count < 100_000 || column.blocks.count > 1, "values were packed into blocks")
        func values(in range: Range<Int>) -> [Int64] {
            var got: [Int64] = []
            column.forEachPiece(in: range) { piece in
                switch piece {
                case let .values(values): got += values
                case let .packed(bytes, count):
                    var unpacked = [Int64](repeating: 0, count: count)
                    unpacked.withUnsafeMutableBufferPointer { PackedColumn.unpack(bytes, into: $0) }
                    got += unpacked
                }
            }
            return got
        }
        #expect(values(in: 0..<count) == expected)
        for _ in 0..<20 where count > 0 {
            let a = Int(random.next() % UInt64(count)), b = Int(random.next() % UInt64(count + 1))
            let range = min(a, b)..<max(a, b)
            #expect(values(in: range) == Array(expected[range]), "\(range)")
        }
    }

    /// Checkpoints pack a column's newest values first (`packRecent`), so
    /// that the values between two checkpoints are whole blocks, whatever the
    /// spacing against the blocks packed on the way: each stretch comes out
    /// packed, never unpacked and packed again, and holds its values in order.
    @Test func stretchesBetweenPackedPointsAreWholeBlocks() {
        var random = SplitMix64(state: 31)
        var column = PackedColumn()
        defer { column.deallocate() }
        var expected: [Int64] = []
        var committed = 0
        for spacing in [1, 30_001, 70_001, 65_536, 65_535, 2, 140_000, 5] {
            for _ in 0..<spacing {
                let value = Int64(1_700_000_000 + random.next() % 86_400)
                column.append(value)
                expected.append(value)
            }
            column.packRecent()
            var got: [Int64] = []
            column.forEachPiece(in: committed..<column.count) { piece in
                guard case let .packed(bytes, count) = piece else {
                    Issue.record("values unpacked for the stretch of \(spacing)")
                    return
                }
                #expect(count <= PackedColumn.blockValues)
                var unpacked = [Int64](repeating: 0, count: count)
                unpacked.withUnsafeMutableBufferPointer { PackedColumn.unpack(bytes, into: $0) }
                got += unpacked
            }
            #expect(got == Array(expected[committed...]), "the stretch of \(spacing)")
            committed = column.count
        }
    }

    /// The state of `input` read one line at a time, tracking changes, with
    /// `afterLine` called after each line with the lines read so far.
    static func ingestTrackingChanges(
        _ input: [UInt8], afterLine: (ActivityState, Int) throws -> Void
    ) throws -> ActivityState {
        var ingestor = LineIngestor(state: ActivityState(tracksChanges: true))
        var lines = 0
        try InMemoryRun.forEachLine(of: input) { line, offset in
            _ = ingestor.ingest(line, at: offset)
            lines += 1
            try afterLine(ingestor.state, lines)
        }
        return ingestor.state
    }

    /// A delta packs a site's newest messages into a block of their own
    /// when they are many (so that the next delta starts at a block's
    /// start), and leaves a few as they are.
    @Test func aDeltaPacksManyNewMessagesIntoABlock() throws {
        var options = GeneratorOptions(lines: 12_000)
        options.seed = 14
        options.sites = 1
        var recentAtDeltas: [Int] = []
        _ = try Self.ingestTrackingChanges(LogGenerator(options: options).bytes()) { state, lines in
            guard lines == 100 || lines == 9_000 || lines == 9_100 else { return }
            let before = state.activity[0].messageTimestamps.recent.count
            _ = state.takeCheckpointDelta()
            let after = state.activity[0].messageTimestamps.recent.count
            #expect(after == (before >= PackedColumn.smallestLoadedBlock ? 0 : before), "at line \(lines)")
            recentAtDeltas.append(before)
        }
        #expect(recentAtDeltas.count == 3)
        #expect(recentAtDeltas.contains { $0 >= PackedColumn.smallestLoadedBlock }, "one delta had many to pack")
        #expect(recentAtDeltas.contains { $0 > 0 && $0 < PackedColumn.smallestLoadedBlock }, "one had a few to leave")
    }

    @Test func columnGrowsAndLoadsInBulk() {
        var column = RawColumn<Int64>()
        defer { column.deallocate() }
        for value in 0..<10_000 { column.append(Int64(value) - 5000) }
        #expect(Array(column) == (0..<10_000).map { Int64($0) - 5000 })
        let more: [Int64] = [.min, -1, 0, 1, .max]
        more.withUnsafeBytes { column.append(littleEndian: $0) }
        #expect(Array(column.suffix(5)) == more)
        let sum = column.withUnsafeElements(9_998..<10_002) { Array($0) }
        #expect(sum == [4998, 4999, .min, -1])
        column.removeAll()
        #expect(column.isEmpty)
    }

    /// A column in borrowed memory holds its values; whatever grows it
    /// (an append, a reservation, a bulk append) moves them to memory of
    /// its own first, leaving the lender's as it was; freeing it leaves the
    /// lender's memory alone.
    @Test(arguments: 0..<4)
    func aBorrowedColumnMovesOutToGrow(_ way: Int) {
        let arena = ColumnArena()
        let values: [Int64] = [7, -3, 1 << 40]
        var column = values.withUnsafeBufferPointer { arena.column(copying: $0) }
        let lent = column.base
        #expect(column.isBorrowed && Array(column) == values)
        switch way {
        case 0: column.append(9)
        case 1: column.reserveCapacity(10)
        case 2: [Int64(9)].withUnsafeBytes { column.append(littleEndian: $0) }
        default: column.append(count: 1) { $0[0] = 9 }
        }
        #expect(!column.isBorrowed && column.base != lent)
        #expect(Array(column) == values + (way == 1 ? [] : [9]))
        #expect(column.capacity >= column.count)
        #expect(Array(UnsafeBufferPointer(start: lent, count: 3)) == values)
        for value in 0..<1000 { column.append(Int64(value)) }
        #expect(Array(column.prefix(3)) == values && column.last == 999)
        column.deallocate()
        var borrowed = values.withUnsafeBufferPointer { arena.column(copying: $0) }
        // Small enough for `reserveCapacity` to leave it where it is.
        borrowed.reserveCapacity(3)
        #expect(borrowed.isBorrowed)
        borrowed.deallocate()
        #expect(borrowed.isEmpty)
    }

    /// The arena's pieces are aligned, apart from each other, in chunks
    /// (a large one in a chunk of its own).
    @Test func arenaPiecesDoNotOverlap() {
        let arena = ColumnArena()
        var pieces: [(start: UInt, end: UInt)] = []
        for count in [1, 3, 1, 40_000, 5, 100_000, 2] + Array(repeating: 7, count: 3000) {
            let piece = arena.allocate(StatusChange.self, count: count)
            let start = UInt(bitPattern: piece)
            #expect(start % 8 == 0)
            for i in 0..<count { (piece + i).initialize(to: StatusChange(timestamp: Int64(count), offset: UInt64(i), change: 0)) }
            pieces.append((start, start + UInt(count * MemoryLayout<StatusChange>.stride)))
        }
        let sorted = pieces.sorted { $0.start < $1.start }
        #expect(zip(sorted, sorted.dropFirst()).allSatisfy { $0.end <= $1.start })
        #expect(arena.bytes >= 100_000 * MemoryLayout<StatusChange>.stride + ColumnArena.chunkBytes)
    }

    /// The timeline against counting flips one by one, with flips close
    /// together, far apart, and at both ends of the Int64 range.
    @Test(arguments: 0..<40)
    func timelineAgreesWithCountingFlips(_ seed: Int) {
        var random = SplitMix64(state: UInt64(seed))
        var flips = Set<Int64>()
        let count = Int(random.next() % 300)
        for _ in 0..<count {
            switch random.next() % 4 {
            case 0: flips.insert(Int64(bitPattern: random.next()))
            case 1: flips.insert(Int64.min + Int64(random.next() % 10))
            case 2: flips.insert(Int64.max - Int64(random.next() % 10))
            default: flips.insert(Int64(random.next() % 1000))
            }
        }
        let sorted = flips.sorted()
        // Without a range asked about, and with ranges the bitmap covers:
        // around zero, at the ends of the Int64 range, starting on a flip.
        var ranges: [ClosedRange<Int64>?] = [nil, -50...1050, Int64.min...(Int64.min + 100), (Int64.max - 100)...Int64.max]
        if let flip = sorted.first(where: { $0 < Int64.max - 5000 }) { ranges.append(flip...(flip + 5000)) }
        // Asked often enough for a bitmap, and too seldom (one ask).
        for range in ranges {
            for askCount in [Int.max, 1] {
                let timeline = OnlineTimeline(flips: sorted, asked: range, askCount: askCount)
                #expect(timeline.hasBitmap == (range != nil && askCount == .max), "\(String(describing: range)) \(askCount)")
                var probes: [Int64] = [.min, .max, -1, 0, 1]
                for flip in sorted { probes += [flip, flip &- 1, flip &+ 1] }
                for _ in 0..<200 { probes.append(Int64(bitPattern: random.next())) }
                if let range { probes += [range.lowerBound, range.upperBound] + (0..<200).map { _ in range.lowerBound &+ Int64(random.next() % 100) } }
                for probe in probes {
                    let expected = sorted.count { $0 <= probe } % 2 == 1
                    #expect(timeline.isOnline(at: probe) == expected, "flips \(sorted), range \(String(describing: range)), at \(probe)")
                }
            }
        }
    }

    /// A delta taken for another thread holds exactly the records
    /// `writeCheckpointRecords` would write, and marks the state.
    @Test func deltaEqualsTheIncrementalRecords() throws {
        var options = GeneratorOptions(lines: 3000)
        options.seed = 12
        options.duplicateRate = 0.1
        options.malformedRate = 0.02
        let input = LogGenerator(options: options).bytes()
        func state(upTo end: Int) -> ActivityState {
            InMemoryRun.state(of: Array(input[..<end]), tracksChanges: true)
        }
        let half = input[..<(input.count / 2)].lastIndex(of: UInt8(ascii: "\n"))! + 1
        let expected = state(upTo: half)
        let taken = state(upTo: half)
        var want: [[UInt8]] = []
        try expected.writeCheckpointRecords { want.append($0) }
        var got: [[UInt8]] = []
        try taken.takeCheckpointDelta().forEachRecord { got.append($0) }
        #expect(got == want)
        var after: [[UInt8]] = []
        try taken.writeCheckpointRecords { after.append($0) }
        #expect(after.isEmpty)
    }

    /// Deltas taken one after another, each one's memory handed back (`reuse`)
    /// once its records are written, as the run does after a commit, hold
    /// every record once: loaded in order into a fresh state they give the
    /// state of the whole input.
    @Test func deltasWithReusedMemoryLoadBackToTheWholeState() throws {
        var options = GeneratorOptions(lines: 4000)
        options.seed = 13
        options.duplicateRate = 0.1
        let input = LogGenerator(options: options).bytes()
        var records: [[UInt8]] = []
        var reused = 0
        func takeDelta(_ state: ActivityState) throws {
            let delta = state.takeCheckpointDelta()
            try delta.forEachRecord { records.append($0) }
            if delta.ids.list.count > 0 { reused += 1 }
            state.reuse(delta)
            #expect(delta.ids.list.count == 0, "the delta's ids now belong to the state")
        }
        let state = try Self.ingestTrackingChanges(input) { state, lines in
            if lines % 300 == 0 { try takeDelta(state) }
        }
        try takeDelta(state)
        #expect(reused > 5)
        let loaded = ActivityState(tracksChanges: true)
        let whole = InMemoryRun.state(of: input)
        loaded.reserveCheckpointedIDs(Int(whole.tally.events))
        loaded.checkpointedLines = { InMemoryRun.line(of: input, at: $0) }
        for record in records { try record.withUnsafeBytes { try loaded.applyCheckpointRecord($0) } }
        try loaded.finishLoadingCheckpoint()
        #expect(loaded.idCount == whole.idCount)
        #expect(loaded.summary() == whole.summary())
    }
}
