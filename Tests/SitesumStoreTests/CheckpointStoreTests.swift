import Foundation
import SitesumStore
import Testing

@Suite struct CheckpointStoreTests {
    @Test func roundTripWithSeveralSegmentsInOrder() throws {
        let fixture = try StoreFixture()
        do {
            let store = try fixture.open()
            #expect(load(store).manifest == nil)
            let first = try commit(store, ["a", "bb", ""], offset: 10, metadata: [9])
            #expect(first.generation == 1)
            #expect(first.segments.count == 1)
            try commit(store, ["ccc"], offset: 20)
            let third = try commit(store, ["d", "e"], offset: 30, metadata: Array("meta".utf8))
            #expect(third.generation == 3)
            #expect(third.segments.map(\.generation) == [1, 2, 3])
            #expect(store.segmentCount == 3)
            #expect(store.segmentBytes == third.segmentBytes)
            let sizes = try third.segments.map { UInt64(try readFile(fixture.file(segmentName($0.generation))).count) }
            #expect(third.segments.map(\.length) == sizes)
        }
        let reopened = try fixture.open()
        let (loaded, warnings) = load(reopened)
        #expect(warnings.isEmpty)
        let manifest = try #require(loaded)
        #expect(manifest.generation == 3)
        #expect(manifest.input == identity(30))
        #expect(manifest.metadata == Array("meta".utf8))
        #expect(try records(reopened, manifest) == ["a", "bb", "", "ccc", "d", "e"])
        #expect(reopened.baseManifest == manifest)
    }

    @Test func largeAndBinaryRecordsRoundTrip() throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        var generator = SeededGenerator(seed: 3)
        let payloads = [randomBytes(3 << 20, using: &generator), [], randomBytes(600_000, using: &generator),
                        randomBytes(17, using: &generator)] + (0..<5000).map { _ in randomBytes(Int.random(in: 0...300, using: &generator), using: &generator) }
        let manifest = try store.commit(input: identity(1), metadata: randomBytes(100_000, using: &generator), replacingAll: false) { writer in
            for payload in payloads { try writer.append(payload) }
            #expect(writer.recordCount == payloads.count)
        }
        let reopened = try { store.close(); return try fixture.open() }()
        #expect(load(reopened).manifest == manifest)
        var read: [[UInt8]] = []
        try reopened.readRecords(of: manifest) { read.append(Array($0)) }
        #expect(read == payloads)
    }

    @Test func aRecordOverTheLimitIsRefused() throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        let huge = [UInt8](repeating: 0, count: SegmentWriter.maxRecordLength + 1)
        #expect(throws: CheckpointError.self) {
            try store.commit(input: identity(1), metadata: [], replacingAll: false) { try $0.append(huge) }
        }
        #expect(try fixture.names() == ["INPUT", "LOCK"])
        #expect(load(store).manifest == nil)
    }

    @Test func emptyCommitReusesTheBaseSegments() throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        let first = try commit(store, ["x", "y"], offset: 5)
        let second = try commit(store, [], offset: 6, metadata: [7])
        #expect(second.generation == 2)
        #expect(second.segments == first.segments)
        #expect(try fixture.segmentsOnDisk() == [segmentName(1)])
        #expect(try fixture.manifestsOnDisk() == [manifestName(1), manifestName(2)])
        let (loaded, _) = load(try { store.close(); return try fixture.open() }())
        #expect(loaded == second)
    }

    @Test func anEmptyFirstCommitHasNoSegments() throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        let manifest = try commit(store, [], offset: 0)
        #expect(manifest.segments.isEmpty)
        #expect(try fixture.segmentsOnDisk().isEmpty)
        #expect(load(store).manifest == manifest)
        #expect(try records(store, manifest).isEmpty)
    }

    @Test func replacingAllListsOnlyTheNewSegment() throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        try commit(store, ["a"])
        try commit(store, ["b"])
        let compacted = try commit(store, ["a", "b", "c"], replacingAll: true)
        #expect(compacted.segments.map(\.generation) == [3])
        // The base (2) and its segments survive until the next commit.
        #expect(try fixture.segmentsOnDisk() == [segmentName(1), segmentName(2), segmentName(3)])
        let next = try commit(store, ["d"])
        #expect(next.segments.map(\.generation) == [3, 4])
        #expect(try fixture.segmentsOnDisk() == [segmentName(3), segmentName(4)])
        #expect(try fixture.manifestsOnDisk() == [manifestName(3), manifestName(4)])
        #expect(try records(store, next) == ["a", "b", "c", "d"])

        let emptied = try commit(store, [], replacingAll: true)
        #expect(emptied.segments.isEmpty)
        #expect(try records(store, emptied).isEmpty)
    }

    @Test func cleanupKeepsExactlyTheNewAndBaseManifestsAndTheirSegments() throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        var previous: Manifest?
        for round in 1...8 {
            let manifest = try commit(store, round % 3 == 0 ? [] : ["r\(round)"], replacingAll: round == 5)
            var manifests = [manifestName(manifest.generation)]
            var segments = Set(manifest.segments.map { segmentName($0.generation) })
            if let previous {
                manifests.insert(manifestName(previous.generation), at: 0)
                segments.formUnion(previous.segments.map { segmentName($0.generation) })
            }
            #expect(try fixture.manifestsOnDisk() == manifests, "round \(round)")
            #expect(try fixture.segmentsOnDisk() == segments.sorted(), "round \(round)")
            // Superseded files wait, emptied, as spares for the next commit to reuse.
            let temporary = try fixture.names().filter { $0.hasSuffix(".tmp") }
            #expect(temporary.allSatisfy { $0.hasPrefix("spare-") }, "round \(round): \(temporary)")
            #expect(temporary.count <= 4, "round \(round)")
            for name in temporary {
                #expect(try FileSystem.status(atPath: fixture.file(name)).size == 0, "round \(round): \(name)")
            }
            previous = manifest
        }
        store.close()
        #expect(try fixture.names().filter { $0.hasSuffix(".tmp") }.isEmpty)
    }

    @Test func aCommitReusesTheFilesThatTheOneBeforeSuperseded() throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        var inodes: [String: UInt64] = [:]
        func recordInodes() throws {
            for name in try fixture.names() where name.hasPrefix("MANIFEST-") || name.hasPrefix("segment-") {
                inodes[name] = try FileSystem.status(atPath: fixture.file(name)).inode
            }
        }
        for round in 1...3 {
            _ = try commit(store, ["r\(round)"], replacingAll: false)
            try recordInodes()
        }
        // The third commit superseded the first manifest: its inode is a spare now.
        let spares = try fixture.names().filter { $0.hasPrefix("spare-") }
        #expect(spares.count == 1)
        let spareInode = try FileSystem.status(atPath: fixture.file(spares[0])).inode
        #expect(spareInode == inodes[manifestName(1)])

        let fourth = try commit(store, ["r4"], replacingAll: false)
        #expect(try fixture.names().filter { $0.hasPrefix("spare-") }.count == 1)
        #expect(try FileSystem.status(atPath: fixture.file(segmentName(fourth.generation))).inode == spareInode)
        #expect(try records(store, fourth) == ["r1", "r2", "r3", "r4"])
    }

    @Test func generationIsOneMoreThanTheLargestOnDisk() throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        #expect(try commit(store, ["a"]).generation == 1)
        #expect(try commit(store, ["b"]).generation == 2)
        // A damaged manifest and a stray segment with larger generations still count.
        try writeFile(fixture.file(manifestName(9)), [0, 1, 2])
        try writeFile(fixture.file(segmentName(12)), [3])
        let (loaded, warnings) = load(store)
        #expect(loaded?.generation == 2)
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains(fixture.file(manifestName(9))) == true)
        #expect(try commit(store, ["c"]).generation == 13)
        #expect(try fixture.manifestsOnDisk() == [manifestName(2), manifestName(13)])
        #expect(try fixture.segmentsOnDisk() == [segmentName(1), segmentName(2), segmentName(13)])
        // Files vanishing does not make a generation come back.
        try store.removeAllCheckpoints()
        #expect(try commit(store, ["d"]).generation == 14)
    }

    @Test func twoInputsShareACacheDirectoryWithoutMixing() throws {
        let fixture = try StoreFixture()
        let a = try fixture.open("/data/one/input.log")
        let b = try fixture.open("/data/two/input.log")
        #expect(a.entryDirectory != b.entryDirectory)
        try commit(a, ["from a"], offset: 1)
        try commit(b, ["from b"], offset: 2)
        try commit(b, ["more b"], offset: 3)
        let loadedA = try #require(load(a).manifest)
        let loadedB = try #require(load(b).manifest)
        #expect(loadedA.generation == 1)
        #expect(loadedB.generation == 2)
        #expect(try records(a, loadedA) == ["from a"])
        #expect(try records(b, loadedB) == ["from b", "more b"])
        #expect(try String(contentsOfFile: a.entryDirectory + "/INPUT", encoding: .utf8) == "/data/one/input.log\n")
        #expect(try String(contentsOfFile: b.entryDirectory + "/INPUT", encoding: .utf8) == "/data/two/input.log\n")
    }

    @Test func entryNames() {
        let name = CheckpointStore.entryName(forInputPath: "/var/log/chat events (2024).jsonl")
        #expect(name.hasPrefix("chat_events__2024_.jsonl-"))
        #expect(name.count == "chat_events__2024_.jsonl-".count + 16)
        #expect(name == CheckpointStore.entryName(forInputPath: "/var/log/chat events (2024).jsonl"))
        #expect(name != CheckpointStore.entryName(forInputPath: "/var/log2/chat events (2024).jsonl"))
        let long = CheckpointStore.entryName(forInputPath: "/x/" + String(repeating: "é", count: 100))
        #expect(long == String(repeating: "_", count: 40) + "-" + long.suffix(16))
        #expect(CheckpointStore.entryName(forInputPath: "/x/.hidden").hasPrefix("_hidden-"))
        #expect(CheckpointStore.entryName(forInputPath: "/").hasPrefix("input-"))
        // The hash is part of the on-disk format: it must never change.
        #expect(CheckpointStore.entryName(forInputPath: "/data/input.log") == "input.log-\(CheckpointStoreTests.goldenHash)")
    }

    static let goldenHash = "67e3bfa576fc242f"

    @Test func aSecondStoreOnTheSameEntryIsBusy() throws {
        let fixture = try StoreFixture()
        let first = try fixture.open()
        #expect(throws: CheckpointError.busy(path: fixture.entry)) { try fixture.open() }
        first.close()
        let second = try fixture.open()
        #expect(throws: CheckpointError.busy(path: fixture.entry)) { try fixture.open() }
        _ = second
    }

    @Test func theLockIsReleasedWhenTheStoreGoesAway() throws {
        let fixture = try StoreFixture()
        do { _ = try fixture.open() }
        _ = try fixture.open()
    }

    @Test func leftoverTemporaryFilesAreRemovedOnOpen() throws {
        let fixture = try StoreFixture()
        do {
            let store = try fixture.open()
            try commit(store, ["a"])
        }
        try writeFile(fixture.file(manifestName(2) + ".tmp"), [1, 2, 3])
        try writeFile(fixture.file(segmentName(2) + ".tmp"), [4])
        try FileSystem.makeDirectories(fixture.file("odd.tmp/inside"))
        let store = try fixture.open()
        #expect(try fixture.names() == ["INPUT", "LOCK", manifestName(1), segmentName(1)])
        #expect(load(store).manifest?.generation == 1)
    }

    @Test func removeAllCheckpoints() throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        try commit(store, ["a"])
        try commit(store, ["b"])
        try store.removeAllCheckpoints()
        #expect(try fixture.names() == ["INPUT", "LOCK"])
        #expect(store.segmentCount == 0)
        #expect(store.baseManifest == nil)
        #expect(load(store).manifest == nil)
        let fresh = try commit(store, ["c"])
        #expect(fresh.segments.map(\.generation) == [fresh.generation])
        #expect(try records(store, fresh) == ["c"])
    }

    @Test func removeCache() throws {
        let fixture = try StoreFixture()
        do {
            let store = try fixture.open()
            try commit(store, ["a"])
        }
        try CheckpointStore.removeCache(at: fixture.cache)
        #expect(try FileSystem.linkStatus(atPath: fixture.cache) == nil)
        try CheckpointStore.removeCache(at: fixture.cache)
        let store = try fixture.open()
        #expect(load(store).manifest == nil)
    }

    @Test func aCacheDirectoryThatCannotBeCreatedIsReported() throws {
        let directory = try TemporaryDirectory()
        let file = directory.file("regular-file")
        try writeFile(file, [1])
        let cache = file + "/cache"
        do {
            _ = try CheckpointStore(cacheDirectory: cache, inputPath: "/data/input.log")
            Issue.record("expected an error")
        } catch let error {
            guard case let .cannotUseCache(path, reason) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(path == cache)
            #expect(reason == "cannot create directory '\(file)': Not a directory")
            #expect(error.description.contains(cache))
        }
    }

    @Test func anEntryWhoseLockCannotBeOpenedIsReported() throws {
        let fixture = try StoreFixture()
        try FileSystem.makeDirectories(fixture.file("LOCK"))
        #expect(throws: CheckpointError.cannotUseCache(
            path: fixture.cache, reason: "cannot open '\(fixture.file("LOCK"))': Is a directory")) {
            try fixture.open()
        }
    }

    @Test func metadataOverTheLimitIsRefused() throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        let huge = [UInt8](repeating: 1, count: SegmentWriter.maxRecordLength + 1)
        #expect(throws: CheckpointError.self) {
            try store.commit(input: identity(1), metadata: huge, replacingAll: false) { try $0.append([1]) }
        }
        #expect(try fixture.names() == ["INPUT", "LOCK"])
    }

    @Test func loadNewestSetsTheBaseForTheNextCommit() throws {
        let fixture = try StoreFixture()
        do {
            let store = try fixture.open()
            try commit(store, ["a"])
            try commit(store, ["b"])
        }
        try FileSystem.remove(fixture.file(manifestName(2)))
        let store = try fixture.open()
        #expect(load(store).manifest?.generation == 1)
        let next = try commit(store, ["c"])
        #expect(next.generation == 3)
        #expect(next.segments.map(\.generation) == [1, 3])
        #expect(try records(store, next) == ["a", "c"])
        #expect(try fixture.segmentsOnDisk() == [segmentName(1), segmentName(3)])
    }

    @Test func withoutLoadingTheNextCommitStartsAFreshChain() throws {
        let fixture = try StoreFixture()
        do {
            let store = try fixture.open()
            try commit(store, ["a"])
        }
        let store = try fixture.open()
        let manifest = try commit(store, ["b"])
        #expect(manifest.generation == 2)
        #expect(try records(store, manifest) == ["b"])
    }
}
