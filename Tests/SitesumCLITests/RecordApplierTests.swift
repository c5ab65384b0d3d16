import Foundation
import SitesumCore
import Testing
@testable import SitesumCLI

/// A resume's records through `RecordApplier` (id records on two lanes, the
/// rest on a worker) load the state the checkpoints were taken from, as
/// applying them one at a time does; damage and an overfull checkpoint are
/// reported, whichever lane meets them.
@Suite struct RecordApplierTests {
    /// Line `i` of the synthetic input, which sits at byte `i * 1000`: mostly
    /// UUID ids, every fourth one another id, every sixth line a status.
    static func line(_ i: Int) -> [UInt8] {
        let id = i % 4 == 0 ? "id-\(i)" : "00000000-0000-4000-8000-" + String(format: "%012x", i)
        let text = i % 6 == 0
            ? #"{"id":"\#(id)","type":"status","from":"op\#(i % 3)","site_id":"s\#(i % 5)","timestamp":\#(i % 40),"data":{"status":"\#(i % 12 == 0 ? "online" : "offline")"}}"#
            : #"{"id":"\#(id)","type":"message","from":"v\#(i % 9)","site_id":"s\#(i % 5)","timestamp":\#(i % 40)}"#
        return Array(text.utf8)
    }

    /// Ingests lines `range`; what became of each.
    @discardableResult
    static func ingest(_ state: ActivityState, _ range: Range<Int>) -> [LineOutcome] {
        var ingestor = LineIngestor(state: state)
        return range.map { i in
            line(i).withUnsafeBytes { ingestor.ingest($0, at: UInt64(i) * 1000) }
        }
    }

    /// The records of a state checkpointed every `every` lines of `count`:
    /// one or more id records per checkpoint, so both lanes get some.
    static func chain(count: Int, every: Int) throws -> (state: ActivityState, records: [[UInt8]]) {
        let state = ActivityState(tracksChanges: true)
        var records: [[UInt8]] = []
        for start in stride(from: 0, to: count, by: every) {
            ingest(state, start..<min(count, start + every))
            try state.writeCheckpointRecords { records.append($0) }
            state.markCheckpointed()
        }
        return (state, records)
    }

    /// A fresh state for loading `events` events, reading its lines back from the synthetic input.
    static func empty(reserving events: Int) -> ActivityState {
        let state = ActivityState(tracksChanges: true)
        state.reserveCheckpointedIDs(events)
        state.checkpointedLines = { offset in offset % 1000 == 0 ? line(Int(offset / 1000)) : nil }
        return state
    }

    /// With a byte limit of 1, every record is over it: each waits until
    /// its worker has none waiting.
    @Test(arguments: [(1, 1000, 8 << 20), (700, 100, 8 << 20), (3000, 250, 8 << 20), (3000, 250, 1), (3000, 250, 300)])
    func twoLanesLoadWhatOneByOneLoads(count: Int, every: Int, byteLimit: Int) throws {
        let (original, records) = try Self.chain(count: count, every: every)
        let idRecords = records.count { $0.withUnsafeBytes { ActivityState.isIDRecord($0) } }
        // Each checkpoint has ids: one id record each.
        #expect(idRecords == (count + every - 1) / every)

        let lanes = Self.empty(reserving: Int(original.tally.events))
        let applier = RecordApplier(state: lanes, byteLimit: byteLimit)
        for record in records { try record.withUnsafeBytes { try applier.deliver($0) } }
        try applier.finish()

        let oneByOne = Self.empty(reserving: Int(original.tally.events))
        for record in records { try record.withUnsafeBytes { try oneByOne.applyCheckpointRecord($0) } }
        try oneByOne.finishLoadingCheckpoint()

        for loaded in [lanes, oneByOne] {
            loaded.tally = original.tally
            loaded.markCheckpointed()
            #expect(loaded.summary() == original.summary())
            #expect(loaded.idCount == original.idCount)
            // Every line again is a duplicate, found by its id; new lines count.
            #expect(Self.ingest(loaded, 0..<count).allSatisfy { $0 == .duplicate })
            #expect(loaded.checkpointMismatch == nil)
            #expect(Self.ingest(loaded, count..<count + 40).allSatisfy { $0 == .counted })
        }
        Self.ingest(original, count..<count + 40)
        #expect(lanes.summary() == original.summary())
        #expect(oneByOne.summary() == original.summary())
    }

    /// A damaged id record fails the load on either lane: by the next
    /// `deliver`, or by `finish`.
    @Test(arguments: [0, 1, 2, 3])
    func aDamagedIDRecordFailsTheLoad(damaged: Int) throws {
        let (original, records) = try Self.chain(count: 600, every: 150)
        var idRecords = 0
        let applier = RecordApplier(state: Self.empty(reserving: Int(original.tally.events)))
        #expect(throws: (any Error).self) {
            for var record in records {
                if record.withUnsafeBytes({ ActivityState.isIDRecord($0) }) {
                    if idRecords == damaged { record.removeLast(3) }
                    idRecords += 1
                }
                try record.withUnsafeBytes { try applier.deliver($0) }
            }
            try applier.finish()
        }
        applier.abandon()
    }

    /// Records with more ids than the checkpoint counted events fail the
    /// load, also when each lane alone holds no more than that.
    @Test func moreIDsThanCountedFailsTheLoad() throws {
        let (original, records) = try Self.chain(count: 600, every: 150)
        let uuids = records.reduce(0) { sum, record in
            sum + record.withUnsafeBytes { ActivityState.idCount(ofRecord: $0) }
        }
        #expect(uuids > 0 && Int(original.tally.events) >= uuids)
        let applier = RecordApplier(state: Self.empty(reserving: uuids - 1))
        #expect(throws: (any Error).self) {
            for record in records { try record.withUnsafeBytes { try applier.deliver($0) } }
            try applier.finish()
        }
        applier.abandon()
    }
}
