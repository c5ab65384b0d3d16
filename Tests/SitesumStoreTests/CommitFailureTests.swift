import Foundation
import SitesumStore
import Testing

/// A commit that fails at any step leaves the previous checkpoint usable and the
/// store's base unchanged; the next commit then carries the lost delta.
@Suite struct CommitFailureTests {
    struct InjectedFailure: Error, Equatable {}

    /// Commits "a", then fails committing "b" at `step`.
    func commitThenFail(at step: CommitStep) throws -> (StoreFixture, CheckpointStore, Manifest) {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        let first = try commit(store, ["a"], offset: 1)
        store.commitHook = { reached, _ in if reached == step { throw InjectedFailure() } }
        #expect(throws: InjectedFailure()) { try commit(store, ["b"], offset: 2) }
        store.commitHook = nil
        return (fixture, store, first)
    }

    @Test(arguments: CommitStep.commitSteps)
    func aFailureAtAnyStepKeepsThePreviousCheckpoint(step: CommitStep) throws {
        let (fixture, store, first) = try commitThenFail(at: step)
        #expect(store.baseManifest == first)
        #expect(try fixture.names().filter { $0.hasSuffix(".tmp") }.isEmpty)

        let manifestRenamed = step == .manifestRenamed || step == .directorySynced
        if !manifestRenamed {
            #expect(try fixture.manifestsOnDisk() == [manifestName(1)])
            #expect(try fixture.segmentsOnDisk() == [segmentName(1)])
        }

        // What a new run would find: the failed commit only if its manifest got its name.
        store.close()
        let reopened = try fixture.open()
        let (loaded, warnings) = load(reopened)
        #expect(warnings.isEmpty)
        #expect(loaded?.generation == (manifestRenamed ? 2 : 1))

        // Committing again from the first checkpoint carries the failed delta.
        #expect(load(reopened).manifest != nil)
        let retried: Manifest
        if manifestRenamed {
            retried = try commit(reopened, ["c"], offset: 3)
            #expect(try records(reopened, retried) == ["a", "b", "c"])
        } else {
            retried = try commit(reopened, ["b", "c"], offset: 3)
            #expect(try records(reopened, retried) == ["a", "b", "c"])
        }
        // A failed commit that left no file behind leaves no generation behind either.
        #expect(retried.generation == (manifestRenamed ? 3 : 2))
    }

    @Test(arguments: CommitStep.commitSteps)
    func aFailureAtAnyStepThenCommittingFromTheOldBase(step: CommitStep) throws {
        let (fixture, store, _) = try commitThenFail(at: step)
        // Same process, same store: the base is still the first checkpoint.
        let next = try commit(store, ["b", "c"], offset: 3)
        #expect(next.generation == 3)
        #expect(next.segments.map(\.generation) == [1, 3])
        #expect(try records(store, next) == ["a", "b", "c"])
        #expect(try fixture.manifestsOnDisk() == [manifestName(1), manifestName(3)])
        #expect(try fixture.segmentsOnDisk() == [segmentName(1), segmentName(3)])
    }

    @Test func stepsAreReachedInOrder() throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        var steps: [CommitStep] = []
        var paths: [String] = []
        store.commitHook = { reached, path in
            steps.append(reached)
            paths.append(path)
        }
        try commit(store, ["a"])
        #expect(steps == CommitStep.commitSteps)
        // Each step names the file it is about: temporary until renamed, then final.
        let entry = store.entryDirectory
        #expect(paths == [
            "\(entry)/\(segmentName(1)).tmp", "\(entry)/\(segmentName(1)).tmp", "\(entry)/\(segmentName(1))",
            "\(entry)/\(manifestName(1)).tmp", "\(entry)/\(manifestName(1)).tmp", "\(entry)/\(manifestName(1))",
            entry,
        ])
        steps = []
        try commit(store, [])
        #expect(steps == [.manifestWritten, .manifestSynced, .manifestRenamed, .directorySynced])
    }

    @Test func anErrorFromTheCallerIsRethrownAndLeavesNothing() throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        let first = try commit(store, ["a"])
        #expect(throws: InjectedFailure()) {
            try store.commit(input: identity(2), metadata: [], replacingAll: false) { writer in
                try writer.append([1, 2, 3])
                throw InjectedFailure()
            }
        }
        #expect(store.baseManifest == first)
        #expect(try fixture.names() == ["INPUT", "LOCK", manifestName(1), segmentName(1)])
    }

    @Test func aCommitThatCannotWriteFailsCleanly() throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        let first = try commit(store, ["a"])
        // The entry vanishes under the store: nothing can be written.
        try FileSystem.removeTree(fixture.entry)
        do {
            try commit(store, ["b"])
            Issue.record("expected an error")
        } catch let error as CheckpointError {
            guard case let .io(systemError) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            // The first file the commit writes, in the entry that is gone.
            #expect(systemError.path.hasPrefix(fixture.entry + "/"), "\(systemError.path)")
            #expect(systemError.errno == .noSuchFileOrDirectory)
        }
        #expect(store.baseManifest == first)
        let (loaded, warnings) = load(store)
        #expect(loaded == nil)
        #expect(warnings == ["cannot list directory '\(fixture.entry)': No such file or directory; starting without a checkpoint"])
    }
}
