import Foundation
import SitesumGenerator
import SitesumStore

/// A fresh directory under the system's temporary directory, removed on deinit.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("sitesum-store-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    func file(_ name: String) -> String {
        path + "/" + name
    }
}

/// SplitMix64, so failures reproduce.
struct SeededGenerator: RandomNumberGenerator {
    private var source: SplitMix64

    init(seed: UInt64) {
        source = SplitMix64(state: seed)
    }

    mutating func next() -> UInt64 { source.next() }
}

func writeFile(_ path: String, _ bytes: [UInt8]) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

func readFile(_ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

func randomBytes(_ count: Int, using generator: inout SeededGenerator) -> [UInt8] {
    (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
}

func hex16(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
}

func manifestName(_ generation: UInt64) -> String {
    "MANIFEST-" + hex16(generation)
}

func segmentName(_ generation: UInt64) -> String {
    "segment-" + hex16(generation) + ".seg"
}

/// Opens `path` read-only, runs `body`, closes.
func withFile<T>(_ path: String, _ body: (FileDescriptor) throws -> T) throws -> T {
    let file = try FileDescriptor.open(path, O_RDONLY)
    defer { file.close() }
    return try body(file)
}
