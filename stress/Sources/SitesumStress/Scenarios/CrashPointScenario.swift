#if canImport(Glibc)
import Glibc
#endif
import SitesumGenerator

/// Crash points: sitesum dies (`SITESUM_CRASHPOINT=<point>:<n>`) at one step of
/// its checkpoint protocol, on an early, a middle and the last checkpoint of a
/// run (the last holds the summary), or of its first two merges; the next run,
/// with another save interval, must print the reference.
enum CrashPointScenario {
    /// The runs that crash merge their checkpoint files this often (about
    /// every six checkpoints), so that the merge points are reached.
    static let maxSegments = 8

    /// The points `sitesum --list-crashpoints` names.
    static func points(_ lab: Lab) throws -> [String] {
        let result = try lab.run(SitesumCommand(["--list-crashpoints"]))
        let names = String(decoding: result.stdout, as: UTF8.self).split(separator: "\n")
            .compactMap { $0.split(separator: " ").first.map(String.init) }
        guard result.succeeded, !names.isEmpty else {
            throw StressError("sitesum --list-crashpoints failed (\(result.termination)): \(Lab.tail(result.stderr))")
        }
        return names
    }

    /// How many checkpoints a run with `saveInterval` writes, from its statistics.
    static func checkpointCount(_ lab: Lab, _ subject: Subject, saveInterval: Int) throws -> Int {
        let cache = lab.path("cache-count")
        lab.remove(cache)
        defer { lab.remove(cache) }
        let result = try lab.run(SitesumCommand(["-q", "--stats", "-s", String(saveInterval), "--max-segments", String(maxSegments),
                                                 "--cache-dir", cache, subject.path]))
        guard result.succeeded,
              let field = result.stderr.split(separator: " ").first(where: { $0.hasPrefix("checkpoints=") }),
              let count = Int(field.dropFirst("checkpoints=".count))
        else {
            throw StressError("cannot count the checkpoints of a run (\(result.termination)): \(Lab.tail(result.stderr))")
        }
        return count
    }

    /// Dies at `point`'s `occurrence`-th arrival (`isLast`: on the run's last checkpoint), then recovers.
    static func run(_ lab: Lab, _ subject: Subject, rng: inout SplitMix64,
                    point: String, occurrence: Int, isLast: Bool, saveInterval: Int) throws {
        let cache = lab.path("cache-crash")
        lab.remove(cache)
        defer { lab.remove(cache) }
        let crash = SitesumCommand(["-s", String(saveInterval), "--max-segments", String(maxSegments), "--cache-dir", cache, subject.path],
                                   environment: ["SITESUM_CRASHPOINT": "\(point):\(occurrence)"])
        let crashed = try lab.run(crash)
        // The last checkpoint writes a segment only when lines came after the one
        // before it, so a segment point may be one short there; the run must then
        // simply have finished with the right answer.
        if isLast && point.hasPrefix("segment-") && crashed.succeeded {
            lab.expectAnswer(crashed, subject.reference, "a run whose last checkpoint wrote no segment")
            return
        }
        guard crashed.termination == .signaled(SIGKILL), crashed.stderr.contains("crash point \(point):\(occurrence) reached") else {
            lab.mismatch("crash point \(point):\(occurrence) was not reached: the run ended with \(crashed.termination); stderr: \(Lab.tail(crashed.stderr))")
            return
        }
        lab.report.crashPoints += 1
        // Resume with another interval: resumption must not depend on it.
        let again = SitesumCommand(["-s", String(rng.logUniform(upTo: subject.lineCount) + subject.lineCount / 100),
                                    "--cache-dir", cache, subject.path])
        lab.expectAnswer(try lab.run(again), subject.reference, "the run after dying at \(point):\(occurrence)")
    }
}
