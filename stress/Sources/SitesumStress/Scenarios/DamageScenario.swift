#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SitesumGenerator

/// Checkpoint damage: after a run that saved five checkpoints and died, damage
/// the newest files of its cache entry, then run again. The damage must be
/// named on stderr and the run must recover (from an older checkpoint or from
/// the start) with the reference answer.
enum DamageScenario {
    enum Kind: String, CaseIterable {
        case flipBits = "flip-bits"
        case truncateToZero = "truncate-to-zero"
        case truncateToHalf = "truncate-to-half"
        case deleteNewestManifest = "delete-newest-manifest"
        case deleteNewestSegment = "delete-newest-segment"
        case fromAnotherInput = "manifest-from-another-input"
        case futureFormatVersion = "future-format-version"
        case directoryInstead = "directory-instead-of-file"
        case flipBitsInOldestSegment = "flip-bits-in-oldest-segment"
    }

    static let checkpointsBefore = 5

    static func run(_ lab: Lab, _ subject: Subject, other: Subject, rng: inout SplitMix64, kind: Kind) throws {
        let cache = lab.path("cache-damage")
        lab.remove(cache)
        defer { lab.remove(cache) }
        let saveInterval = max(1, subject.lineCount / (checkpointsBefore * 2))
        guard let entry = try diedAfterCheckpoints(lab, subject, cache: cache, saveInterval: saveInterval) else { return }

        let manifests = try files(in: entry, prefix: "MANIFEST-")
        let segments = try files(in: entry, prefix: "segment-")
        guard let newestManifest = manifests.last, let newestSegment = segments.last, let oldestSegment = segments.first else {
            lab.mismatch("after \(checkpointsBefore) checkpoints the cache entry \(entry) holds no manifest or no segment")
            return
        }
        let eitherNewest = Bool.random(using: &rng) ? newestManifest : newestSegment
        let target: String
        switch kind {
        case .flipBits, .truncateToZero, .truncateToHalf, .futureFormatVersion, .directoryInstead: target = eitherNewest
        case .deleteNewestManifest, .fromAnotherInput: target = newestManifest
        case .deleteNewestSegment: target = newestSegment
        case .flipBitsInOldestSegment: target = oldestSegment
        }
        let path = entry + "/" + target

        switch kind {
        case .flipBits, .flipBitsInOldestSegment:
            var bytes = try lab.read(path)
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= UInt8(1) << UInt8.random(in: 0...7, using: &rng)
            }
            try lab.overwrite(path, with: bytes)
        case .truncateToZero:
            truncate(path, 0)
        case .truncateToHalf:
            truncate(path, off_t(try lab.read(path).count / 2))
        case .deleteNewestManifest, .deleteNewestSegment:
            lab.remove(path)
        case .fromAnotherInput:
            // The other input's manifest of the same generation, so only its content differs.
            guard let otherEntry = try diedAfterCheckpoints(lab, other, cache: cache, saveInterval: saveInterval) else { return }
            guard otherEntry != entry, FileManager.default.fileExists(atPath: otherEntry + "/" + target) else {
                lab.mismatch("the other input's cache entry \(otherEntry) has no \(target)")
                return
            }
            lab.remove(path)
            try FileManager.default.copyItem(atPath: otherEntry + "/" + target, toPath: path)
        case .futureFormatVersion:
            var bytes = try lab.read(path)
            bytes.replaceSubrange(8..<12, with: [99, 0, 0, 0])
            try lab.overwrite(path, with: bytes)
        case .directoryInstead:
            lab.remove(path)
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        }
        lab.report.corruptions += 1

        let command = SitesumCommand(["-s", String(saveInterval), "--cache-dir", cache, subject.path])
        let recovered = try lab.run(command)
        guard lab.expectAnswer(recovered, subject.reference, "the run after \(kind.rawValue) on \(target)") else { return }
        // A deleted newest manifest is indistinguishable from a checkpoint never
        // written: the older one is simply the newest. Everything else is damage.
        if kind != .deleteNewestManifest && !recovered.stderr.contains(target) {
            lab.mismatch("\(kind.rawValue) on \(target) was not named on stderr: \(Lab.tail(recovered.stderr))")
        }
    }

    /// Runs sitesum over `subject` until it dies right after its fifth checkpoint;
    /// returns its cache entry directory.
    static func diedAfterCheckpoints(_ lab: Lab, _ subject: Subject, cache: String, saveInterval: Int) throws -> String? {
        let before = Set((try? FileManager.default.contentsOfDirectory(atPath: cache)) ?? [])
        let result = try lab.run(SitesumCommand(
            ["-q", "-s", String(saveInterval), "--cache-dir", cache, subject.path],
            environment: ["SITESUM_CRASHPOINT": "checkpoint-done:\(checkpointsBefore)"]))
        guard result.termination == .signaled(SIGKILL) else {
            lab.mismatch("a run with SITESUM_CRASHPOINT=checkpoint-done:\(checkpointsBefore) ended with \(result.termination); stderr: \(Lab.tail(result.stderr))")
            return nil
        }
        let after = try FileManager.default.contentsOfDirectory(atPath: cache)
        let entries = after.filter { !before.contains($0) && $0 != "CACHEDIR.TAG" }
        guard entries.count == 1 else { throw StressError("expected one new cache entry in \(cache), found \(entries)") }
        return cache + "/" + entries[0]
    }

    /// Names in `directory` starting with `prefix`, oldest generation first.
    static func files(in directory: String, prefix: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasPrefix(prefix) && !$0.hasSuffix(".tmp") }
            .sorted()
    }
}
