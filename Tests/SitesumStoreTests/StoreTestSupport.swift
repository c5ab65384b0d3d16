import Foundation
import SitesumStore
import Testing

/// A cache directory with helpers to commit and read back byte-string records.
final class StoreFixture {
    let directory: TemporaryDirectory
    let cache: String
    let inputPath: String

    init(inputPath: String = "/data/logs/input.log") throws {
        directory = try TemporaryDirectory()
        cache = directory.file("cache")
        self.inputPath = inputPath
    }

    func open(_ inputPath: String? = nil) throws -> CheckpointStore {
        try CheckpointStore(cacheDirectory: cache, inputPath: inputPath ?? self.inputPath)
    }

    var entry: String {
        cache + "/" + CheckpointStore.entryName(forInputPath: inputPath)
    }

    func file(_ name: String) -> String {
        entry + "/" + name
    }

    /// File names in the entry, sorted.
    func names() throws -> [String] {
        try FileSystem.contentsOfDirectory(entry)
    }

    func manifestsOnDisk() throws -> [String] {
        try names().filter { $0.hasPrefix("MANIFEST-") }
    }

    func segmentsOnDisk() throws -> [String] {
        try names().filter { $0.hasPrefix("segment-") }
    }
}

func identity(_ offset: UInt64) -> InputIdentity {
    InputIdentity(device: 42, inode: 4242, offset: offset, fingerprint: 0xABCD_0000 + offset)
}

@discardableResult
func commit(_ store: CheckpointStore, _ records: [String], offset: UInt64 = 0, metadata: [UInt8] = [1, 2, 3],
            replacingAll: Bool = false, merged: SegmentMerge? = nil) throws -> Manifest {
    try store.commit(input: identity(offset), metadata: metadata, replacingAll: replacingAll, merged: merged) { writer in
        for record in records { try writer.append(Array(record.utf8)) }
    }
}

func records(_ store: CheckpointStore, _ manifest: Manifest) throws -> [String] {
    var result: [String] = []
    try store.readRecords(of: manifest) { payload in
        result.append(String(decoding: payload, as: UTF8.self))
    }
    return result
}

/// loadNewest, collecting the warnings.
func load(_ store: CheckpointStore) -> (manifest: Manifest?, warnings: [String]) {
    var warnings: [String] = []
    let manifest = store.loadNewest { warnings.append($0) }
    return (manifest, warnings)
}
