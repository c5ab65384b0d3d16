import Foundation
import SitesumStore
import Testing

/// Merges run a step at a time between commits, and only a commit that lists
/// the merged segment changes the chain: a merge that fails, is abandoned or
/// is cut short by a crash leaves the checkpoints as they were.
@Suite struct CheckpointMergeTests {
    struct InjectedFailure: Error {}

    /// Commits one segment per group of records.
    func chain(_ store: CheckpointStore, _ groups: [[String]]) throws {
        for (index, group) in groups.enumerated() {
            try commit(store, group, offset: UInt64(index + 1))
        }
    }

    /// Steps `merge` one byte at a time (so one record per step) until it is finished.
    @discardableResult
    func finish(_ store: CheckpointStore, _ merge: SegmentMerge) throws -> Int {
        var steps = 1
        while try !store.continueMerge(merge, bytes: 1) { steps += 1 }
        return steps
    }

    @Test func aMergeGoesOnBetweenCommitsAndReplacesItsSources() throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        try chain(store, [["a"], ["b1", "b2"], ["c"]])
        let merge = try store.beginMerge(newest: 2)
        #expect(merge.sources.map(\.generation) == [2, 3])
        #expect(try store.continueMerge(merge, bytes: 1) == false)
        // A commit while the merge runs neither waits for it nor lists it.
        let during = try commit(store, ["d"], offset: 4, merged: merge)
        #expect(during.segments.map(\.generation) == [1, 2, 3, 5])
        #expect(!merge.isCommitted)
        #expect(try fixture.names().contains(segmentName(4) + ".tmp"))
        #expect(try finish(store, merge) == 3)
        #expect(merge.result?.generation == 4)
        let after = try commit(store, ["e"], offset: 5, merged: merge)
        #expect(after.segments.map(\.generation) == [1, 4, 5, 6])
        #expect(merge.isCommitted)
        #expect(try records(store, after) == ["a", "b1", "b2", "c", "d", "e"])
        // The sources go once no kept manifest lists them.
        try commit(store, ["f"], offset: 6)
        #expect(try fixture.segmentsOnDisk() == [1, 4, 5, 6, 7].map(segmentName))
        store.close()
        let (loaded, warnings) = load(try fixture.open())
        #expect(warnings.isEmpty)
        #expect(loaded?.segments.map(\.generation) == [1, 4, 5, 6, 7])
    }

    @Test func aMergesSourcesAreKeptEmptiedForTheCommitsAfterIt() throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        try chain(store, [["a"], ["b"], ["c"], ["d"]])
        let merge = try store.beginMerge(newest: 3)
        try finish(store, merge)
        try commit(store, ["e"], offset: 5, merged: merge)
        let inode = { (name: String) in try FileSystem.status(atPath: fixture.file(name)).inode }
        let sourceInodes = try Set(merge.sources.map { try inode(segmentName($0.generation)) })
        #expect(sourceInodes.count == 3)
        // The next commit supersedes the sources: they are emptied, not removed.
        try commit(store, ["f"], offset: 6)
        let spares = try fixture.names().filter { $0.hasPrefix("spare-") }
        let spareInodes = try Set(spares.map(inode))
        #expect(sourceInodes.isSubset(of: spareInodes))
        for spare in spares {
            #expect(try FileSystem.status(atPath: fixture.file(spare)).size == 0)
        }
        // And the commit after that writes its files into two of them.
        let next = try commit(store, ["g"], offset: 7)
        #expect(spareInodes.contains(try inode(segmentName(next.generation))))
        #expect(spareInodes.contains(try inode(manifestName(next.generation))))
        #expect(try records(store, next) == ["a", "b", "c", "d", "e", "f", "g"])
        store.close()
        #expect(try fixture.names().filter { $0.hasSuffix(".tmp") }.isEmpty)
    }

    @Test func aFinishedMergeIsListedOnceAndOnlyWhileItsSourcesAreInTheChain() throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        try chain(store, [["a"], ["b"]])
        let merge = try store.beginMerge(newest: 2)
        try finish(store, merge)
        // A compaction of everything supersedes the merge: it is not listed.
        let replaced = try commit(store, ["a", "b", "c"], offset: 3, replacingAll: true, merged: merge)
        #expect(replaced.segments.map(\.generation) == [4])
        #expect(!merge.isCommitted)
        store.abandonMerge(merge)
        #expect(try fixture.segmentsOnDisk() == [1, 2, 4].map(segmentName))
        let next = try commit(store, ["d"], offset: 4, merged: merge)
        #expect(next.segments.map(\.generation) == [4, 5])
        #expect(try records(store, next) == ["a", "b", "c", "d"])
    }

    @Test func anAbandonedMergeLeavesNoFileAndTheChainAsItWas() throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        try chain(store, [["a"], ["b"], ["c"]])
        let partial = try store.beginMerge(newest: 3)
        #expect(try store.continueMerge(partial, bytes: 1) == false)
        store.abandonMerge(partial)
        #expect(try fixture.names().filter { $0.hasSuffix(".tmp") }.isEmpty)
        let finished = try store.beginMerge(newest: 2)
        try finish(store, finished)
        store.abandonMerge(finished)
        #expect(try fixture.segmentsOnDisk() == [1, 2, 3].map(segmentName))
        // Generations are never reused, even those of abandoned merges.
        let next = try commit(store, ["d"], offset: 4, merged: finished)
        #expect(next.segments.map(\.generation) == [1, 2, 3, 6])
        #expect(try records(store, next) == ["a", "b", "c", "d"])
    }

    @Test func aMergeCutShortByACrashLeavesFilesTheNextRunRemoves() throws {
        let fixture = try StoreFixture()
        var store = try fixture.open()
        try chain(store, [["a"], ["b"], ["c"]])
        let renamed = try store.beginMerge(newest: 2)
        try finish(store, renamed)
        // The process dies: nothing abandons the merge, and no manifest lists it.
        store.close()
        store = try fixture.open()
        let (loaded, warnings) = load(store)
        #expect(warnings.isEmpty)
        #expect(loaded?.segments.map(\.generation) == [1, 2, 3])
        #expect(try fixture.segmentsOnDisk() == [1, 2, 3, 4].map(segmentName))
        let next = try commit(store, ["d"], offset: 4)
        #expect(next.segments.map(\.generation) == [1, 2, 3, 5])
        #expect(try fixture.segmentsOnDisk() == [1, 2, 3, 5].map(segmentName))

        let partial = try store.beginMerge(newest: 2)
        #expect(try store.continueMerge(partial, bytes: 1) == false)
        store.close()
        store = try fixture.open()
        #expect(try fixture.names().filter { $0.hasSuffix(".tmp") }.isEmpty)
        #expect(load(store).manifest == next)
    }

    @Test(arguments: CommitStep.allCases.filter(\.isMerge))
    func aFailureAtAMergeStepAbandonsTheMergeOnly(step: CommitStep) throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        try chain(store, [["a"], ["b"], ["c"]])
        let merge = try store.beginMerge(newest: 3)
        var reached: [CommitStep] = []
        store.commitHook = { at, _ in
            reached.append(at)
            if at == step { throw InjectedFailure() }
        }
        #expect(throws: InjectedFailure.self) { try finish(store, merge) }
        store.commitHook = nil
        #expect(reached == Array(CommitStep.allCases.filter(\.isMerge).prefix { $0 != step }) + [step])
        #expect(merge.result == nil || !merge.isCommitted)
        #expect(try fixture.segmentsOnDisk() == [1, 2, 3].map(segmentName))
        #expect(try fixture.names().filter { $0.hasSuffix(".tmp") }.isEmpty)
        let next = try commit(store, ["d"], offset: 4, merged: merge)
        #expect(next.segments.map(\.generation) == [1, 2, 3, 5])
        #expect(try records(store, next) == ["a", "b", "c", "d"])
    }

    @Test func aDamagedSourceFailsTheMergeAndNamesTheSegment() throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        try chain(store, [["a"], ["bbbbbbbb"], ["c"]])
        let path = fixture.file(segmentName(2))
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[CheckpointFormatOffsets.firstPayload] ^= 0x20
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let merge = try store.beginMerge(newest: 3)
        do {
            try finish(store, merge)
            Issue.record("the merge of a damaged segment finished")
        } catch let CheckpointError.damaged(damagedPath, reason) {
            #expect(damagedPath == path)
            #expect(reason.contains("checksum mismatch"), "\(reason)")
        }
        #expect(try fixture.names().filter { $0.hasSuffix(".tmp") }.isEmpty)
        #expect(try fixture.segmentsOnDisk() == [1, 2, 3].map(segmentName))
    }
}

/// Where things sit in a segment written by these tests.
enum CheckpointFormatOffsets {
    /// The first byte of the first record's payload: after the 20-byte file
    /// header and the 9-byte record header.
    static let firstPayload = 29
}
