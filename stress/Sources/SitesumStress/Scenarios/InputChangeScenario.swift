#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SitesumGenerator

/// Input changes between runs: the log grows (also by completing an unterminated
/// last line), shrinks, is rewritten in place with other bytes of the same size,
/// or is rotated. The run after the change must print the reference for the
/// bytes now at the path, whatever its checkpoints say.
enum InputChangeScenario {
    enum Kind: String, CaseIterable {
        case append = "append"
        case completeUnterminatedLine = "complete-unterminated-line"
        case appendAfterFinish = "append-after-finish"
        case truncate = "truncate"
        case replaceSameSize = "replace-same-size"
        case rotate = "rotate"
    }

    static func run(_ lab: Lab, _ subject: Subject, other: Subject, rng: inout SplitMix64, kind: Kind) throws {
        let cache = lab.path("cache-input")
        let input = lab.path("changing.jsonl")
        lab.remove(cache)
        lab.remove(input)
        lab.remove(input + ".1")
        defer {
            lab.remove(cache)
            lab.remove(input)
            lab.remove(input + ".1")
        }
        let saveInterval = max(1, subject.lineCount / 20)
        let bytes = subject.bytes
        /// A cut somewhere in the middle of a line between 30% and 80% of the log.
        let midLine = Int.random(in: bytes.count * 3 / 10...bytes.count * 8 / 10, using: &rng)
        let lineBoundary = Int(subject.offset(afterLine: Int.random(in: subject.lineCount / 3...subject.lineCount * 2 / 3, using: &rng)))

        /// Runs over the first bytes of the change and stops it at a random checkpoint, or lets it finish.
        func partialRun(finish: Bool) throws -> Bool {
            var environment: [String: String] = [:]
            if !finish { environment["SITESUM_CRASHPOINT"] = "checkpoint-done:\(Int.random(in: 1...8, using: &rng))" }
            let result = try lab.run(SitesumCommand(["-q", "-s", String(saveInterval), "--cache-dir", cache, input],
                                                    environment: environment))
            if finish {
                return lab.expectAnswer(result, try lab.reference(for: input), "the run before \(kind.rawValue)")
            }
            // A short input may finish before the chosen checkpoint: that is fine too.
            guard result.termination == .signaled(SIGKILL) || result.succeeded else {
                lab.mismatch("the run before \(kind.rawValue) ended with \(result.termination): \(Lab.tail(result.stderr))")
                return false
            }
            return true
        }

        switch kind {
        case .append:
            try lab.overwrite(input, with: Array(bytes[..<lineBoundary]))
            guard try partialRun(finish: false) else { return }
            try lab.append(Array(bytes[lineBoundary...]), to: input)
        case .completeUnterminatedLine:
            try lab.overwrite(input, with: Array(bytes[..<midLine]))
            guard try partialRun(finish: true) else { return }
            try lab.append(Array(bytes[midLine...]), to: input)
        case .appendAfterFinish:
            try lab.overwrite(input, with: Array(bytes[..<lineBoundary]))
            guard try partialRun(finish: true) else { return }
            try lab.append(Array(bytes[lineBoundary...]), to: input)
        case .truncate:
            try lab.overwrite(input, with: bytes)
            guard try partialRun(finish: false) else { return }
            truncate(input, off_t(midLine))
        case .replaceSameSize:
            try lab.overwrite(input, with: bytes)
            guard try partialRun(finish: false) else { return }
            var replacement = Array(other.bytes.prefix(bytes.count))
            // Blank lines are no events, so padding keeps the other log's answer meaningful.
            replacement += [UInt8](repeating: UInt8(ascii: "\n"), count: bytes.count - replacement.count)
            try lab.overwrite(input, with: replacement)
        case .rotate:
            try lab.overwrite(input, with: bytes)
            guard try partialRun(finish: false) else { return }
            try FileManager.default.moveItem(atPath: input, toPath: input + ".1")
            try lab.overwrite(input, with: Array(other.bytes[..<Int(other.offset(afterLine: other.lineCount / 2))]))
        }
        lab.report.inputChanges += 1
        let after = try lab.run(SitesumCommand(["-s", String(saveInterval), "--cache-dir", cache, input]))
        lab.expectAnswer(after, try lab.reference(for: input), "the run after \(kind.rawValue)")
    }
}
