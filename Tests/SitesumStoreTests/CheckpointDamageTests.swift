import Foundation
import SitesumStore
import Testing

/// Every way a checkpoint file can be damaged is caught at load, reported with the
/// file's path, and answered by falling back to an older checkpoint (or none).
@Suite struct CheckpointDamageTests {
    /// Two checkpoints: 1 = segment 1, 2 = segments 1 + 2.
    static func twoCheckpoints() throws -> (StoreFixture, CheckpointStore, Manifest, Manifest) {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        let first = try commit(store, ["alpha", "beta"], offset: 11, metadata: [1, 2])
        let second = try commit(store, ["gamma"], offset: 17, metadata: [3])
        return (fixture, store, first, second)
    }

    /// What loading must give when `file` is damaged.
    enum Fallback {
        case first, none
    }

    static let targets: [(name: String, fallback: Fallback)] = [
        (manifestName(2), .first),
        (segmentName(2), .first),
        (segmentName(1), .none),
    ]

    static func expectFallback(_ fixture: StoreFixture, _ store: CheckpointStore, _ first: Manifest,
                               damaged name: String, _ fallback: Fallback, _ what: String,
                               sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (loaded, warnings) = load(store)
        switch fallback {
        case .first:
            #expect(loaded == first, "\(name): \(what)", sourceLocation: sourceLocation)
            if loaded == first {
                #expect(try records(store, first) == ["alpha", "beta"], sourceLocation: sourceLocation)
            }
        case .none:
            #expect(loaded == nil, "\(name): \(what)", sourceLocation: sourceLocation)
        }
        #expect(store.baseManifest == loaded, sourceLocation: sourceLocation)
        #expect(warnings.contains { $0.contains(fixture.file(name)) },
                "\(name): \(what): warnings \(warnings)", sourceLocation: sourceLocation)
    }

    @Test(arguments: [UInt8(0x01), 0xFF, 0x80])
    func everySingleByteCorruptionIsDetected(mask: UInt8) throws {
        let (fixture, store, first, second) = try Self.twoCheckpoints()
        #expect(load(store).manifest == second)
        for (name, fallback) in Self.targets {
            let path = fixture.file(name)
            let original = try readFile(path)
            for index in original.indices {
                var damaged = original
                damaged[index] ^= mask
                try writeFile(path, damaged)
                try Self.expectFallback(fixture, store, first, damaged: name, fallback, "byte \(index) ^ \(mask)")
            }
            try writeFile(path, original)
            #expect(load(store) .manifest == second)
        }
    }

    @Test func everyTruncationIsDetected() throws {
        let (fixture, store, first, second) = try Self.twoCheckpoints()
        for (name, fallback) in Self.targets {
            let path = fixture.file(name)
            let original = try readFile(path)
            for length in 0..<original.count {
                try writeFile(path, Array(original[..<length]))
                try Self.expectFallback(fixture, store, first, damaged: name, fallback, "truncated to \(length)")
            }
            try writeFile(path, original)
            #expect(load(store).manifest == second)
        }
    }

    @Test func extraBytesAreDetected() throws {
        let (fixture, store, first, _) = try Self.twoCheckpoints()
        for (name, fallback) in Self.targets {
            let path = fixture.file(name)
            let original = try readFile(path)
            for tail: [UInt8] in [[0], [0x0A], [UInt8](repeating: 0, count: 9), Array(original.suffix(17))] {
                try writeFile(path, original + tail)
                try Self.expectFallback(fixture, store, first, damaged: name, fallback, "\(tail.count) bytes appended")
            }
            try writeFile(path, original)
        }
    }

    @Test func warningsSayWhatIsWrong() throws {
        let (fixture, store, _, _) = try Self.twoCheckpoints()
        let manifest = fixture.file(manifestName(2))
        let original = try readFile(manifest)

        func warning(after damage: [UInt8]) throws -> String {
            try writeFile(manifest, damage)
            return load(store).warnings.first ?? ""
        }
        #expect(try warning(after: []) == "\(manifest): truncated at byte 0")
        #expect(try warning(after: Array(original[..<30])) == "\(manifest): truncated at byte 30: the record at byte 20 is incomplete")
        #expect(try warning(after: Array(original[..<20])) == "\(manifest): truncated at byte 20: the END record is missing")
        var magic = original
        magic[0] = UInt8(ascii: "X")
        #expect(try warning(after: magic) == "\(manifest): bad magic: not a sitesum manifest")
        #expect(try warning(after: try readFile(fixture.file(segmentName(2))))
                == "\(manifest): bad magic: this is a segment, not a manifest")
        var flipped = original
        flipped[40] ^= 1
        #expect(try warning(after: flipped) == "\(manifest): checksum mismatch in the record at byte 20")
        var generation = original
        generation[12] = 7
        #expect(try warning(after: generation) == "\(manifest): generation mismatch: the header says 7, expected 2")
        try writeFile(manifest, original)

        let segment = fixture.file(segmentName(2))
        let segmentBytes = try readFile(segment)
        try writeFile(segment, Array(segmentBytes.dropLast()))
        #expect(load(store).warnings == [
            "\(segment): truncated at byte \(segmentBytes.count - 1) (the manifest expects \(segmentBytes.count) bytes); "
                + "checkpoint \(manifest) is unusable",
        ])
        try FileSystem.remove(segment)
        #expect(load(store).warnings == ["\(segment): missing; checkpoint \(manifest) is unusable"])
    }

    @Test func aFutureFormatVersionIsReportedAsSuch() throws {
        let (fixture, store, first, _) = try Self.twoCheckpoints()
        let manifest = fixture.file(manifestName(2))
        var bytes = try readFile(manifest)
        bytes[8] = 5
        try writeFile(manifest, bytes)
        let (loaded, warnings) = load(store)
        #expect(loaded == first)
        #expect(warnings == ["\(manifest): unknown format version 5"])

        // The same for a segment, and for a file too short to hold the rest of a header.
        let segment = fixture.file(segmentName(1))
        var segmentBytes = try readFile(segment)
        segmentBytes[8...11] = [0, 1, 0, 0]
        try writeFile(segment, segmentBytes)
        try writeFile(manifest, Array(bytes[..<12]))
        let again = load(store)
        #expect(again.manifest == nil)
        #expect(again.warnings == [
            "\(manifest): unknown format version 5",
            "\(segment): unknown format version 256; checkpoint \(fixture.file(manifestName(1))) is unusable",
        ])
    }

    /// Versions 1 (ids stored whole, columns unpacked) and 3 (ids that are
    /// not UUIDs stored whole) are older sitesums'.
    @Test(arguments: [1, 3] as [UInt8])
    func anEarlierFormatVersionIsReportedAsSuch(_ version: UInt8) throws {
        let (fixture, store, first, _) = try Self.twoCheckpoints()
        let manifest = fixture.file(manifestName(2))
        var bytes = try readFile(manifest)
        bytes[8] = version
        try writeFile(manifest, bytes)
        let (loaded, warnings) = load(store)
        #expect(loaded == first)
        #expect(warnings == ["\(manifest): format version \(version), written by an older sitesum (this one reads version 4)"])
    }

    @Test func deletedNewestManifestFallsBack() throws {
        let (fixture, store, first, _) = try Self.twoCheckpoints()
        try FileSystem.remove(fixture.file(manifestName(2)))
        let (loaded, warnings) = load(store)
        #expect(loaded == first)
        #expect(warnings.isEmpty)
    }

    @Test func deletedSegmentFallsBack() throws {
        let (fixture, store, first, _) = try Self.twoCheckpoints()
        try FileSystem.remove(fixture.file(segmentName(2)))
        try Self.expectFallback(fixture, store, first, damaged: segmentName(2), .first, "deleted")
        try FileSystem.remove(fixture.file(segmentName(1)))
        try Self.expectFallback(fixture, store, first, damaged: segmentName(1), .none, "deleted")
    }

    @Test func aSegmentFromAnotherEntryIsRejected() throws {
        let fixture = try StoreFixture()
        let a = try fixture.open("/data/a.log")
        let b = try fixture.open("/data/b.log")
        try commit(a, ["same length A"])
        try commit(b, ["same length B"])
        let aSegment = a.entryDirectory + "/" + segmentName(1)
        let bSegment = b.entryDirectory + "/" + segmentName(1)
        #expect(try readFile(aSegment).count == (try readFile(bSegment).count))
        try writeFile(aSegment, try readFile(bSegment))
        let (loaded, warnings) = load(a)
        #expect(loaded == nil)
        #expect(warnings.count == 1)
        #expect(warnings.first?.hasPrefix("\(aSegment): checksum mismatch: the file's CRC32C is 0x") == true)
        #expect(load(b).manifest != nil)
    }

    @Test func aSegmentOfAnotherGenerationIsRejected() throws {
        let (fixture, store, first, _) = try Self.twoCheckpoints()
        // Same bytes as segment 1 under the name of segment 2: the header's generation differs.
        try writeFile(fixture.file(segmentName(2)), try readFile(fixture.file(segmentName(1))))
        try Self.expectFallback(fixture, store, first, damaged: segmentName(2), .first, "replaced by segment 1")
    }

    @Test func aDirectoryWhereAManifestShouldBeIsReported() throws {
        let (fixture, store, _, second) = try Self.twoCheckpoints()
        let odd = fixture.file(manifestName(3))
        try FileSystem.makeDirectories(odd)
        let (loaded, warnings) = load(store)
        #expect(loaded == second)
        #expect(warnings == ["\(odd): a directory, not a regular file"])
        let next = try commit(store, ["delta"])
        #expect(next.generation == 4)
        #expect(try records(store, next) == ["alpha", "beta", "gamma", "delta"])
        // The same for a segment.
        try FileSystem.remove(fixture.file(segmentName(4)))
        try FileSystem.makeDirectories(fixture.file(segmentName(4)))
        #expect(load(store).manifest == second)
    }

    @Test func readRecordsNoticesAChangeAfterLoading() throws {
        let (fixture, store, _, second) = try Self.twoCheckpoints()
        #expect(load(store).manifest == second)
        let segment = fixture.file(segmentName(2))
        var bytes = try readFile(segment)
        bytes[bytes.count - 12] ^= 0x10
        try writeFile(segment, bytes)
        var seen: [String] = []
        do {
            try store.readRecords(of: second) { seen.append(String(decoding: $0, as: UTF8.self)) }
            Issue.record("expected .damaged")
        } catch let error as CheckpointError {
            guard case let .damaged(path, _) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(path == segment)
        }
        // Replacing a segment by another of the same length is caught by the file CRC.
        try writeFile(segment, try readFile(fixture.file(segmentName(1))).prefix(bytes.count) + [])
        #expect(throws: CheckpointError.self) { try store.readRecords(of: second) { _ in } }
    }
}
