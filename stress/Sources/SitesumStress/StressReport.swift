import Foundation

/// A broken promise: what happened, and how to see it again.
struct Mismatch {
    var scenario: String
    var seed: UInt64
    var message: String
    /// The harness command that replays the scenario.
    var reproduce: String
    /// The sitesum command that showed it.
    var lastCommand: String
}

/// What the harness did and found, for the final lines on stdout.
struct StressReport {
    var kills = 0
    var crashPoints = 0
    var corruptions = 0
    var inputChanges = 0
    var faults = 0
    /// Lines re-read by the run after each kill whose loss could be measured.
    var lostLines: [Int] = []
    var mismatches: [Mismatch] = []

    /// The report's lines for stdout; the last is the one-line summary.
    func lines(seed: UInt64, elapsed: Double) -> [String] {
        var lines: [String] = []
        for mismatch in mismatches {
            lines.append("MISMATCH scenario=\(mismatch.scenario) seed=\(mismatch.seed): \(mismatch.message)")
            lines.append("  reproduce: \(mismatch.reproduce)")
            lines.append("  sitesum command: \(mismatch.lastCommand)")
        }
        let mean = lostLines.isEmpty ? 0 : Double(lostLines.reduce(0, +)) / Double(lostLines.count)
        lines.append("lost lines per kill: measured=\(lostLines.count) mean=\(String(format: "%.1f", mean)) max=\(lostLines.max() ?? 0)")
        lines.append(
            "stress: kills=\(kills) crashpoints=\(crashPoints) corruptions=\(corruptions) input-changes=\(inputChanges)"
            + " faults=\(faults) mismatches=\(mismatches.count) lost-lines-max=\(lostLines.max() ?? 0)"
            + " seed=\(seed) elapsed=\(String(format: "%.1f", elapsed))s")
        return lines
    }
}
