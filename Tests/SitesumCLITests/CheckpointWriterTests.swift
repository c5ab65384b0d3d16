import Foundation
import SitesumCore
import SitesumStore
import Testing
@testable import SitesumCLI

/// Checkpoints committed on the writer's thread load back to the state they
/// were taken from, also after a failed commit and after compaction.
@Suite struct CheckpointWriterTests {
    struct InjectedFailure: Error {}

    /// A state with `count` events, ids `base ..< base + count`.
    func add(_ state: ActivityState, _ range: Range<Int>) {
        var ingestor = LineIngestor(state: state)
        for i in range {
            let id = i % 4 == 0 ? "id-\(i)" : "00000000-0000-4000-8000-" + String(format: "%012x", i)
            let line = i % 6 == 0
                ? #"{"id":"\#(id)","type":"status","from":"op\#(i % 3)","site_id":"s\#(i % 5)","timestamp":\#(i % 40),"data":{"status":"\#(i % 12 == 0 ? "online" : "offline")"}}"#
                : #"{"id":"\#(id)","type":"message","from":"v\#(i % 9)","site_id":"s\#(i % 5)","timestamp":\#(i % 40)}"#
            var bytes = Array(line.utf8)
            _ = bytes.withUnsafeMutableBytes { ingestor.ingest(UnsafeRawBufferPointer($0), at: UInt64(i) * 1000) }
        }
    }

    @Test func deltasFailuresAndCompactionLoadBackToTheState() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sitesum-writer-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let inputPath = directory + "/input"
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: inputPath))
        let input = try FileDescriptor.open(inputPath, O_RDONLY)
        defer { input.close() }
        let store = try CheckpointStore(cacheDirectory: directory + "/cache", inputPath: inputPath)
        let state = ActivityState(tracksChanges: true)
        // Set before the writer's thread uses the store, so that thread alone reads it.
        let failing = Monitor(false)
        store.commitHook = { step, _ in
            if step == .manifestSynced, failing.update({ $0 }) { throw InjectedFailure() }
        }
        let writer = CheckpointWriter(store: store, input: input, status: try input.status(), compactionSegments: 3)
        var outcomes: [CheckpointWriter.Outcome] = []
        for round in 0..<7 {
            add(state, round * 50..<(round + 1) * 50)
            // The third commit fails: its delta goes into the next.
            failing.update { $0 = round == 2 }
            writer.submit(CheckpointWriter.Job(offset: UInt64(round + 1), lines: UInt64(round), metadata: [UInt8(round)],
                                               delta: state.takeCheckpointDelta()))
            writer.waitUntilIdle()
            outcomes += writer.takeOutcomes()
        }
        writer.stop()
        #expect(writer.takeMergeFailures().isEmpty)
        #expect(outcomes.map(\.offset) == (1...7).map { UInt64($0) })
        #expect(outcomes.map { $0.failure != nil } == [false, false, true, false, false, false, false])
        #expect(store.segmentCount <= 3)
        let loaded = ActivityState(tracksChanges: true)
        loaded.reserveCheckpointedIDs(Int(state.tally.events))
        let manifest = try #require(store.loadNewest(warn: { Issue.record("\($0)") }))
        try store.readRecords(of: manifest) { try loaded.applyCheckpointRecord($0) }
        try loaded.finishLoadingCheckpoint()
        #expect(manifest.metadata == [6])
        #expect(loaded.summary() == state.summary())
        #expect(loaded.idCount == state.idCount)
    }
}
