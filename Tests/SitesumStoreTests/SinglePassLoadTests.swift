import Foundation
import SitesumStore
import Testing

/// `loadNewest(warn:reading:)`: the records of the chosen checkpoint arrive
/// while it is verified, and a damaged segment found on the way makes the
/// caller start the next older candidate from scratch.
@Suite struct SinglePassLoadTests {
    @Test func deliversTheNewestCheckpointsRecordsInOrder() throws {
        let (fixture, store, _, second) = try CheckpointDamageTests.twoCheckpoints()
        defer { withExtendedLifetime(fixture) {} }
        var asked: [UInt64] = []
        var seen: [String] = []
        let loaded = try store.loadNewest(warn: { Issue.record("unexpected warning \($0)") }) { manifest in
            asked.append(manifest.generation)
            seen = []
            return { seen.append(String(decoding: $0, as: UTF8.self)) }
        }
        #expect(loaded == second)
        #expect(store.baseManifest == second)
        #expect(asked == [second.generation])
        #expect(seen == ["alpha", "beta", "gamma"])
    }

    @Test func aDamagedLaterSegmentFallsBackAndAsksAgain() throws {
        let (fixture, store, first, second) = try CheckpointDamageTests.twoCheckpoints()
        let path = fixture.file(segmentName(2))
        var bytes = try readFile(path)
        bytes[bytes.count - 3] ^= 0xFF
        try writeFile(path, bytes)
        var warnings: [String] = []
        var asked: [UInt64] = []
        var seen: [String] = []
        let loaded = try store.loadNewest(warn: { warnings.append($0) }) { manifest in
            asked.append(manifest.generation)
            seen = []
            return { seen.append(String(decoding: $0, as: UTF8.self)) }
        }
        #expect(loaded == first)
        #expect(asked == [second.generation, first.generation])
        #expect(seen == ["alpha", "beta"])
        #expect(warnings.contains { $0.contains(path) })
    }

    @Test func verifyOnlyAndErrorsFromTheCaller() throws {
        let (fixture, store, _, second) = try CheckpointDamageTests.twoCheckpoints()
        defer { withExtendedLifetime(fixture) {} }
        #expect(try store.loadNewest(warn: { _ in }) { _ in nil } == second)
        struct Refused: Error {}
        #expect(throws: Refused.self) {
            try store.loadNewest(warn: { _ in }) { _ in { _ in throw Refused() } }
        }
        #expect(throws: Refused.self) {
            try store.loadNewest(warn: { _ in }) { _ in throw Refused() }
        }
    }
}
