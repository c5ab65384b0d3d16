#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SitesumGenerator

/// Environment faults. A cache directory that cannot be used stops sitesum with
/// exit 73 and a message naming it. A checkpoint write that fails (a full disk,
/// an I/O error, a file-size limit) is a warning: the run goes on and answers,
/// and the last good checkpoint stays, so the next run — the fault gone —
/// resumes from it or from a later one.
enum FaultScenario {
    enum Kind: String, CaseIterable {
        case cacheIsAFile = "cache-is-a-file"
        case cacheImmutable = "cache-immutable"
        case cacheRefused = "cache-refused"
        case diskFull = "disk-full"
        case ioErrorOnSync = "io-error-on-sync"
        case diskFullThenKilled = "disk-full-then-killed"
        case fileSizeLimit = "file-size-limit"
    }

    static func run(_ lab: Lab, _ subject: Subject, rng: inout SplitMix64, kind: Kind, points: [String]) throws {
        let cache = lab.path("cache-fault")
        lab.remove(cache)
        defer { lab.remove(cache) }
        let saveInterval = max(1, subject.lineCount / 10)
        let plain = SitesumCommand(["-s", String(saveInterval), "--cache-dir", cache, subject.path])

        switch kind {
        case .cacheIsAFile, .cacheImmutable, .cacheRefused:
            var faulty = plain
            var undo: () -> Void = { lab.remove(cache) }
            switch kind {
            case .cacheIsAFile:
                try lab.overwrite(cache, with: Array("not a directory\n".utf8))
            case .cacheImmutable:
                // Permissions do not stop root; the immutable attribute does (ext4, xfs, btrfs).
                // The entry already holds a checkpoint, which the run after the fix must use.
                _ = try lab.run(SitesumCommand(plain.arguments, environment: ["SITESUM_CRASHPOINT": "checkpoint-done:1"]))
                let entry = try FileManager.default.contentsOfDirectory(atPath: cache).filter { $0 != "CACHEDIR.TAG" }
                guard entry.count == 1, lab.runTool("/usr/bin/chattr", ["+i", cache + "/" + entry[0]]) else {
                    lab.log("chattr +i is not available here: \(kind.rawValue) is covered by cache-refused only")
                    return
                }
                undo = { _ = lab.runTool("/usr/bin/chattr", ["-i", cache + "/" + entry[0]]) }
            default:
                faulty.environment["SITESUM_FAULT"] = "EACCES@cache-open"
            }
            lab.report.faults += 1
            let refused = try lab.run(faulty)
            undo()
            if refused.termination != .exited(73) || !refused.stderr.contains(cache) {
                lab.mismatch("with an unusable cache (\(kind.rawValue)) sitesum ended with \(refused.termination), expected exit 73 naming \(cache); stderr: \(Lab.tail(refused.stderr))")
            }
            let fixed = try lab.run(plain)
            lab.expectAnswer(fixed, subject.reference, "the run after \(kind.rawValue) was fixed")
            if kind == .cacheImmutable && fixed.resumedOffset == nil {
                lab.mismatch("after \(kind.rawValue) was fixed the run did not resume from the checkpoint made before; stderr: \(Lab.tail(fixed.stderr))")
            }

        case .diskFull, .ioErrorOnSync, .diskFullThenKilled, .fileSizeLimit:
            // First a good checkpoint to keep: the run dies right after its second one.
            let first = try lab.run(SitesumCommand(plain.arguments, environment: ["SITESUM_CRASHPOINT": "checkpoint-done:2"]))
            guard first.termination == .signaled(SIGKILL) else {
                lab.mismatch("a run with SITESUM_CRASHPOINT=checkpoint-done:2 ended with \(first.termination)")
                return
            }
            var faulty = plain
            // Merge points fail a merge, not a checkpoint (the run goes on without
            // it): `CheckpointMergeTests` and the end-to-end tests cover them.
            let commitPoints = points.filter { $0 != "cache-open" && $0 != "checkpoint-done" && !$0.hasPrefix("merge-") }
            switch kind {
            case .diskFull, .diskFullThenKilled:
                let point = commitPoints.filter { $0.hasSuffix("-torn") || $0.hasSuffix("-written") }.randomElement(using: &rng) ?? "segment-written"
                faulty.environment["SITESUM_FAULT"] = "ENOSPC@\(point):\(Int.random(in: 1...3, using: &rng))"
            case .ioErrorOnSync:
                let point = commitPoints.filter { $0.hasSuffix("-synced") || $0 == "checkpoint-durable" }.randomElement(using: &rng) ?? "segment-synced"
                faulty.environment["SITESUM_FAULT"] = "EIO@\(point):1"
            default:
                // A real limit, enforced by the kernel: writes past 64 KiB fail with EFBIG.
                faulty.shellSetup = "trap '' XFSZ; ulimit -f 64"
            }
            let kill = kind == .diskFullThenKilled
            lab.report.faults += 1
            let faultyRun = try lab.run(faulty, signalAfter: kill ? Double.random(in: 0...1, using: &rng) * subject.referenceSeconds : nil)
            // The good checkpoint: the second. sitesum takes one every half save
            // interval (so that a kill never loses more than one interval while
            // a commit runs), so that is after the interval's events.
            guard let kept = subject.lines.offset(afterNonBlankLines: 2 * max(1, saveInterval / 2)) else {
                throw StressError("the input is too short for two checkpoints at --save-interval \(saveInterval)")
            }
            // A run killed early may not have said where it resumed; one that did must name the good checkpoint.
            if let resumed = faultyRun.resumedOffset, resumed != kept {
                lab.mismatch("the run with a fault (\(kind.rawValue)) resumed from byte \(resumed), not from the good checkpoint at byte \(kept); stderr: \(Lab.tail(faultyRun.stderr))")
                return
            }
            if faultyRun.resumedOffset == nil && faultyRun.signalSent == nil {
                lab.mismatch("the run with a fault (\(kind.rawValue)) did not resume from the good checkpoint; stderr: \(Lab.tail(faultyRun.stderr))")
                return
            }
            if faultyRun.signalSent == nil {
                guard lab.expectAnswer(faultyRun, subject.reference, "the run with \(kind.rawValue)") else { return }
                if !faultyRun.stderr.contains("could not save a checkpoint") && !faultyRun.stderr.contains("could not be saved") {
                    lab.mismatch("the run with \(kind.rawValue) did not warn that checkpoints failed; stderr: \(Lab.tail(faultyRun.stderr))")
                }
            } else if faultyRun.termination != .signaled(SIGKILL) && !faultyRun.succeeded {
                lab.mismatch("the run with \(kind.rawValue) ended with \(faultyRun.termination) after SIGKILL")
            }
            let healed = try lab.run(plain)
            guard lab.expectAnswer(healed, subject.reference, "the run after \(kind.rawValue) was gone") else { return }
            // The good checkpoint was not lost: the next run resumed from it or a later one.
            if let resumed = healed.resumedOffset, resumed < kept {
                lab.mismatch("after \(kind.rawValue) the run resumed from byte \(resumed), before the last good checkpoint at byte \(kept): a checkpoint was lost")
            }
            if healed.resumedOffset == nil && !healed.stderr.contains("unchanged since the run that finished it") {
                lab.mismatch("after \(kind.rawValue) the run did not resume from a checkpoint; stderr: \(Lab.tail(healed.stderr))")
            }
        }
    }
}
