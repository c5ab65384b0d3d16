#if canImport(Glibc)
import Glibc
#endif
import SitesumGenerator

/// Random kills: start sitesum with a random save interval and block size, stop it
/// after a random delay (SIGKILL mostly, SIGINT, SIGTERM and SIGHUP too), start it again,
/// until a run finishes on its own; that run must print the reference.
///
/// Work lost per kill is the lines between where the killed run had read to (its
/// input descriptor's position, read from /proc just before the signal) and where
/// the next run resumed. It must stay within the save interval plus one read
/// block (plus blank lines, which the save interval does not count).
enum KillScenario {
    static func run(_ lab: Lab, _ subject: Subject, rng: inout SplitMix64, maxKills: Int) throws {
        let cache = lab.path("cache-kills")
        lab.remove(cache)
        defer { lab.remove(cache) }
        let blockSizes = [4096, 65536, 1 << 20]
        // Short chains make merges frequent, so kills strike them too.
        let maxSegments = [2, 4, 16, 256]
        /// The last kill whose loss is not yet measured: where it had read to, and its settings.
        var pending: (position: UInt64, saveInterval: Int, blockSize: Int)?
        var kills = 0
        while true {
            let finishing = kills >= maxKills
            var saveInterval = rng.logUniform(upTo: subject.lineCount * 2)
            // The run that must finish gets an interval that does not make it crawl.
            if finishing { saveInterval = max(saveInterval, subject.lineCount / 50) }
            let blockSize = blockSizes[Int.random(in: 0..<blockSizes.count, using: &rng)]
            let chain = maxSegments[Int.random(in: 0..<maxSegments.count, using: &rng)]
            // Mostly SIGKILL; one in ten SIGINT, one in twenty SIGTERM, one in
            // twenty SIGHUP.
            let roll = Int.random(in: 0..<20, using: &rng)
            let signal = roll < 16 ? SIGKILL : roll < 18 ? SIGINT : roll == 18 ? SIGTERM : SIGHUP
            // A run with a tiny interval is slowed by one fsync per checkpoint: aim inside it.
            let expected = subject.referenceSeconds + 0.0015 * Double(subject.lineCount / saveInterval)
            let delay = Double.random(in: 0...1.2, using: &rng) * min(expected, 2)
            let command = SitesumCommand([
                "--save-interval", String(saveInterval), "--block-size", String(blockSize), "--max-segments", String(chain),
                "--cache-dir", cache, subject.path,
            ])
            let result = try lab.run(command, input: subject.path, signalAfter: finishing ? nil : delay, signal: signal)

            if let killed = pending, let start = startOffset(of: result, subject: subject) {
                pending = nil
                let lost = subject.lines.lines(from: start, to: killed.position)
                let blockStart = max(start, killed.position > UInt64(killed.blockSize) ? killed.position - UInt64(killed.blockSize) : 0)
                let bound = killed.saveInterval + subject.lines.lines(from: blockStart, to: killed.position)
                    + subject.lines.blankLines(from: start, to: killed.position) + 1
                lab.report.lostLines.append(lost)
                if lost > bound {
                    lab.mismatch("a kill lost \(lost) lines (re-read from byte \(start) to \(killed.position)), more than the save interval \(killed.saveInterval) plus one block of \(killed.blockSize) bytes (\(bound) lines)")
                }
            }

            guard let sent = result.signalSent, !result.succeeded else {
                lab.expectAnswer(result, subject.reference, "the run that finished after \(kills) kills")
                return
            }
            kills += 1
            lab.report.kills += 1
            if !Self.expectedEnd(of: result.termination, after: sent) {
                lab.mismatch("after signal \(sent) sitesum ended with \(result.termination); stderr: \(Lab.tail(result.stderr))")
                return
            }
            if let position = result.readPosition {
                pending = (position, saveInterval, blockSize)
            }
        }
    }

    /// SIGKILL kills; SIGINT, SIGTERM and SIGHUP save a checkpoint and exit
    /// 130, 143 and 129 (or kill, if they arrive before sitesum has set up its
    /// handlers).
    static func expectedEnd(of termination: Termination, after signal: Int32) -> Bool {
        switch signal {
        case SIGINT: termination == .exited(130) || termination == .signaled(SIGINT)
        case SIGTERM: termination == .exited(143) || termination == .signaled(SIGTERM)
        case SIGHUP: termination == .exited(129) || termination == .signaled(SIGHUP)
        default: termination == .signaled(signal)
        }
    }

    /// Where a run started reading: its resume notice, the end for an answer from a
    /// finished checkpoint, 0 for a run that read without resuming; nil when it
    /// ended before it could tell.
    static func startOffset(of result: RunResult, subject: Subject) -> UInt64? {
        if let offset = result.resumedOffset { return offset }
        if result.stderr.contains("unchanged since the run that finished it") { return subject.size }
        if result.succeeded || (result.readPosition ?? 0) > 0 { return 0 }
        return nil
    }
}
