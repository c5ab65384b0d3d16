#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SitesumGenerator

/// `sitesum-stress`: runs every scenario against the sitesum binary and reports.
public enum StressHarness {
    /// Runs the harness with `arguments` (without the program name); returns the exit status.
    public static func main(_ arguments: [String]) -> Int32 {
        let options: StressOptions
        do {
            guard let parsed = try StressOptions.parse(arguments) else {
                print(StressOptions.usage, terminator: "")
                return 0
            }
            options = parsed
        } catch {
            FileHandle.standardError.write(Data("sitesum-stress: \(error)\nTry 'sitesum-stress --help'.\n".utf8))
            return 2
        }
        let lab: Lab
        do {
            lab = try Lab(options: options, binary: try binary(options))
        } catch {
            FileHandle.standardError.write(Data("sitesum-stress: \(error)\n".utf8))
            return 2
        }
        defer { lab.cleanUp() }
        do {
            try run(lab)
        } catch {
            lab.log("the harness itself failed in \(lab.scenario.name): \(error)")
            for line in lab.report.lines(seed: options.seed, elapsed: lab.elapsed) { print(line) }
            return 2
        }
        for line in lab.report.lines(seed: options.seed, elapsed: lab.elapsed) { print(line) }
        return lab.report.mismatches.isEmpty ? 0 : 1
    }

    /// The sitesum to test: `--binary`, or the one built beside this executable.
    static func binary(_ options: StressOptions) throws -> String {
        let path = options.binary ?? URL(fileURLWithPath: Lab.realPath("/proc/self/exe"))
            .deletingLastPathComponent().appendingPathComponent("sitesum").path
        guard access(path, X_OK) == 0 else {
            throw StressError("no sitesum binary at \(path) (build it with 'swift build -c release', or pass --binary PATH)")
        }
        return Lab.realPath(path)
    }

    static func run(_ lab: Lab) throws {
        let options = lab.options
        lab.log("seed \(options.seed), sitesum \(lab.binary), scratch \(lab.directory)")
        let subject = try makeSubject(lab, name: "input.jsonl", source: options.input, seed: options.seed)
        let other = try makeSubject(lab, name: "other.jsonl", source: nil, seed: options.seed &+ 1,
                                    lines: max(subject.lineCount, 1000))
        lab.log("input: \(subject.lineCount) lines, \(subject.size) bytes; reference run \(String(format: "%.3f", subject.referenceSeconds))s")

        var scenarios: [(name: String, body: (inout SplitMix64) throws -> Void)] = []
        let points = try CrashPointScenario.points(lab)
        let crashInterval = max(1, subject.lineCount / 40)
        let checkpoints = try CrashPointScenario.checkpointCount(lab, subject, saveInterval: crashInterval)
        for point in points {
            // A run's last checkpoint holds the summary and may write no segment (its
            // records went out in the one before), so segment points aim at that one.
            let last = point.hasPrefix("segment-") ? max(1, checkpoints - 1) : checkpoints
            // Merges (every `CrashPointScenario.maxSegments` checkpoints) aim at the
            // first two; the others at an early, a middle and the last checkpoint.
            let occurrences = point == "cache-open" ? [1]
                : point.hasPrefix("merge-") ? [1, 2]
                : Array(Set([1, max(1, checkpoints / 2), last])).sorted()
            for occurrence in occurrences {
                scenarios.append(("crashpoint:\(point):\(occurrence)", { rng in
                    try CrashPointScenario.run(lab, subject, rng: &rng, point: point, occurrence: occurrence,
                                               isLast: occurrence == last, saveInterval: crashInterval)
                }))
            }
        }
        let rounds = options.quick ? 1 : 3
        for round in 1...rounds {
            let suffix = rounds == 1 ? "" : "#\(round)"
            for kind in DamageScenario.Kind.allCases {
                scenarios.append(("damage:\(kind.rawValue)\(suffix)", { rng in
                    try DamageScenario.run(lab, subject, other: other, rng: &rng, kind: kind)
                }))
            }
            for kind in InputChangeScenario.Kind.allCases {
                scenarios.append(("input:\(kind.rawValue)\(suffix)", { rng in
                    try InputChangeScenario.run(lab, subject, other: other, rng: &rng, kind: kind)
                }))
            }
            for kind in FaultScenario.Kind.allCases {
                scenarios.append(("fault:\(kind.rawValue)\(suffix)", { rng in
                    try FaultScenario.run(lab, subject, rng: &rng, kind: kind, points: points)
                }))
            }
        }
        if let only = options.only, !only.hasPrefix("kills#"), !scenarios.contains(where: { $0.name == only }) {
            throw StressError("no scenario is named '\(only)' (names are printed in the progress lines)")
        }
        for (index, scenario) in scenarios.enumerated() where options.only == nil || options.only == scenario.name {
            try runScenario(lab, scenario.name, "\(index + 1)/\(scenarios.count)", scenario.body)
        }
        // Kill scenarios go on until enough kills are done: each ends when a run finishes on its own.
        if let only = options.only {
            guard only.hasPrefix("kills#") else { return }
            try runScenario(lab, only, "kills") { rng in
                try KillScenario.run(lab, subject, rng: &rng, maxKills: StressOptions.killsPerScenario)
            }
            return
        }
        var round = 0
        while lab.report.kills < options.kills {
            round += 1
            let wanted = min(StressOptions.killsPerScenario, options.kills - lab.report.kills)
            try runScenario(lab, "kills#\(round)", "kills \(lab.report.kills)/\(options.kills)") { rng in
                try KillScenario.run(lab, subject, rng: &rng, maxKills: wanted)
            }
        }
    }

    private static func runScenario(_ lab: Lab, _ name: String, _ progress: String, _ body: (inout SplitMix64) throws -> Void) throws {
        let seed = SplitMix64.scenarioSeed(lab.options.seed, name)
        lab.scenario = ScenarioTag(name: name, seed: lab.options.seed)
        var rng = SplitMix64(state: seed)
        let before = lab.report.mismatches.count
        let started = Date()
        try body(&rng)
        let verdict = lab.report.mismatches.count == before ? "ok" : "MISMATCH"
        lab.log("[\(progress)] \(name): \(verdict) (\(String(format: "%.2f", Date().timeIntervalSince(started)))s)")
    }

    /// Copies `source` (or generates a log) into the lab and computes its reference.
    static func makeSubject(_ lab: Lab, name: String, source: String?, seed: UInt64, lines: Int? = nil) throws -> Subject {
        let path = lab.path(name)
        if let source {
            try FileManager.default.copyItem(atPath: source, toPath: path)
        } else {
            try lab.generate(lines: lines ?? lab.options.lines, seed: seed, to: path)
        }
        let bytes = try lab.read(path)
        let started = Date()
        let reference = try lab.reference(for: path)
        let seconds = Date().timeIntervalSince(started)
        let lines = LineMap(bytes)
        guard lines.count >= 100 else { throw StressError("\(name) has \(lines.count) lines; the scenarios need at least 100") }
        return Subject(path: path, bytes: bytes, reference: reference, lines: lines, referenceSeconds: seconds)
    }
}
