import Foundation
@testable import SitesumCLI
import SitesumStore
import Testing

/// The built binary, driven as a user would drive it.
@Suite(.serialized) final class EndToEndTests {
    /// A scratch directory of each test's own: Swift Testing makes a new
    /// instance of the suite for every test, and drops it when the test ends.
    let harness: BinaryHarness

    init() throws { harness = try BinaryHarness() }
    deinit { harness.cleanUp() }

    @Test func shippedSampleMatchesItsExpectedOutput() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let inputs = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("input_data").path)
            .filter { $0.hasSuffix(".jsonl") }
        #expect(!inputs.isEmpty)
        for input in inputs {
            let expected = try String(contentsOf: root.appendingPathComponent("output_data")
                .appendingPathComponent(input.replacingOccurrences(of: ".jsonl", with: ".expected")), encoding: .utf8)
            let result = try harness.run(["--no-checkpoint", root.appendingPathComponent("input_data/\(input)").path])
            #expect(result.status == 0)
            #expect(result.stdout == expected, "\(input)")
        }
    }

    @Test func originalSmallInputWhenPresent() throws {
        var folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        var sample: URL?
        for _ in 0..<6 {
            folder = folder.deletingLastPathComponent()
            let candidate = folder.appendingPathComponent("shared/reference/small_input")
            if FileManager.default.fileExists(atPath: candidate.path) { sample = candidate; break }
        }
        guard let sample else { return }  // Not shipped with the project: nothing to check.
        let result = try harness.run(["--no-checkpoint", sample.path])
        #expect(result.status == 0)
        #expect(result.stdout == "1,messages=4,emails=4,operators=2,visitors=5\n")
    }

    /// Also with runs of blank lines (empty, "\r", spaces) between the
    /// events, up to thousands long: each run is one decoded entry
    /// (`DecodedLine.lineCount`), and checkpoints and counts go by lines.
    @Test(arguments: [false, true])
    func killNineAtSeveralPointsThenResumeEqualsUninterrupted(blankRuns: Bool) throws {
        var log = harness.generate(lines: 60_000, seed: 11)
        if blankRuns {
            var padded: [UInt8] = []
            for (index, line) in log.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
                padded += line
                padded.append(UInt8(ascii: "\n"))
                if index % 397 == 0 {
                    let blank: [UInt8] = [[], [0x0D], [0x20, 0x20]][index % 3]
                    for _ in 0..<(index * 7 % 3_000) { padded += blank + [UInt8(ascii: "\n")] }
                }
            }
            log = Array(padded.dropLast())
        }
        try harness.write(log, to: "log.jsonl")
        let expected = try harness.reference("log.jsonl")
        var kills = 0
        for interval in [1_500, 4_000, 700, 9_000, 2_500] {
            let previous = harness.newestManifest()
            let started = try harness.start(["-s", "\(interval)", "--stats", "log.jsonl"])
            if harness.waitForCheckpoint(after: previous, process: started.0) {
                kill(started.0.processIdentifier, SIGKILL)
                kills += 1
            }
            let result = try harness.finish(started)
            if result.status == 0 { #expect(result.stdout == expected) }
        }
        #expect(kills >= 2, "the runs ended before they could be killed")
        let final = try harness.run(["--stats", "log.jsonl"])
        #expect(final.status == 0, "\(final.stderr)")
        #expect(final.stdout == expected)
        #expect(final.stats["resumed-offset"] != "0", "\(final.stderr)")
        // The counts are the whole input's, as if nothing had happened.
        let uninterrupted = try harness.run(["--no-checkpoint", "--stats", "log.jsonl"])
        for field in ["lines", "events", "duplicates", "malformed", "blank", "sites"] {
            #expect(final.stats[field] == uninterrupted.stats[field], "\(field)")
        }
    }

    /// Under `nohup` (SIGHUP ignored when sitesum starts) a hangup leaves
    /// the run alone, as `nohup` promises: it finishes with the summary.
    @Test func anIgnoredHangupLeavesTheRunGoing() throws {
        try harness.writeLog(lines: 60_000, seed: 13)
        let expected = try harness.reference("log.jsonl")
        let started = try harness.start(["-s", "3000", "log.jsonl"], shellSetup: "trap '' HUP")
        guard harness.waitForCheckpoint(after: nil, process: started.0) else {
            Issue.record("no checkpoint appeared")
            return
        }
        kill(started.0.processIdentifier, SIGHUP)
        let result = try harness.finish(started)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == expected)
        #expect(!result.stderr.contains("stopped by"), "\(result.stderr)")
    }

    /// SIGHUP too: a run whose terminal goes away (an ssh connection
    /// dropped) would otherwise die like a kill and lose its last interval.
    @Test(arguments: [(SIGTERM, Int32(143)), (SIGINT, Int32(130)), (SIGHUP, Int32(129))])
    func signalSavesACheckpointAndExits(signal: Int32, status: Int32) throws {
        try harness.writeLog(lines: 60_000, seed: 12)
        let expected = try harness.reference("log.jsonl")
        let started = try harness.start(["-s", "3000", "log.jsonl"])
        guard harness.waitForCheckpoint(after: nil, process: started.0) else {
            Issue.record("no checkpoint appeared")
            return
        }
        kill(started.0.processIdentifier, signal)
        let stopped = try harness.finish(started)
        #expect(stopped.status == status, "\(stopped.stderr)")
        #expect(stopped.stdout.isEmpty)
        #expect(stopped.stderr.contains("Run the same command again to resume"), "\(stopped.stderr)")
        let resumed = try harness.run(["--stats", "log.jsonl"])
        #expect(resumed.status == 0)
        #expect(resumed.stdout == expected)
        #expect(resumed.stats["resumed-offset"] != "0")
    }

    /// A checkpoint every half save interval (so that one commits while the
    /// next half is read, and a kill still loses at most one interval), plus
    /// the run's last records and its summary at the end.
    @Test func checkpointsComeEveryHalfInterval() throws {
        try harness.writeLog(lines: 3_000, seed: 4)
        let run = try harness.run(["-s", "600", "--stats", "log.jsonl"])
        #expect(run.status == 0)
        let lines = try #require(run.stats["lines"].flatMap { Int($0) })
        let blank = try #require(run.stats["blank"].flatMap { Int($0) })
        let checkpoints = try #require(run.stats["checkpoints"].flatMap { Int($0) })
        let spaced = (lines - blank) / 300
        #expect(spaced >= 9)
        #expect((spaced + 1...spaced + 2).contains(checkpoints), "\(run.stderr)")
    }

    /// `cpu=` is the run's processor time and `checkpoint-cpu=` the part the
    /// checkpoints took: none without checkpoints, some of it with them;
    /// `apply-cpu=` and `worker-cpu=`, the reading's two threads, are parts
    /// of it too.
    @Test func statisticsSayWhatTheCheckpointsCostTheProcessors() throws {
        try harness.writeLog(lines: 20_000, seed: 8)
        func seconds(_ run: BinaryHarness.Result, _ field: String) throws -> Double {
            let text = try #require(run.stats[field], "\(run.stderr)")
            #expect(text.hasSuffix("s"))
            return try #require(Double(text.dropLast()), "\(field)=\(text)")
        }
        let plain = try harness.run(["--no-checkpoint", "--stats", "log.jsonl"])
        #expect(plain.status == 0)
        #expect(try seconds(plain, "cpu") > 0)
        #expect(try seconds(plain, "checkpoint-cpu") == 0)
        let apply = try seconds(plain, "apply-cpu"), worker = try seconds(plain, "worker-cpu")
        let plainTotal = try seconds(plain, "cpu")
        #expect(apply > 0 && worker >= 0 && apply + worker <= plainTotal, "\(plain.stderr)")
        let checkpointed = try harness.run(["-s", "200", "--stats", "log.jsonl"])
        #expect(checkpointed.status == 0)
        #expect(Int(checkpointed.stats["checkpoints"] ?? "") ?? 0 > 100)
        let total = try seconds(checkpointed, "cpu"), spent = try seconds(checkpointed, "checkpoint-cpu")
        #expect(spent > 0 && spent <= total, "checkpoint-cpu=\(spent) cpu=\(total)")
    }

    @Test func unchangedInputIsAnsweredFromTheCheckpoint() throws {
        try harness.writeLog(lines: 5_000, seed: 3)
        let first = try harness.run(["--stats", "log.jsonl"])
        let second = try harness.run(["--stats", "log.jsonl"])
        #expect(first.status == 0 && second.status == 0)
        #expect(second.stdout == first.stdout)
        #expect(second.stats["bytes-read"] == "0")
        #expect(second.stats["malformed"] == first.stats["malformed"])
        #expect(second.stats["sites"] == first.stats["sites"] && first.stats["sites"] != "0")
        #expect(second.stats["duplicates"] == first.stats["duplicates"])
        #expect(second.stderr.contains("unchanged"))
    }

    /// A summary longer than the manifest stores: the finished run commits
    /// a manifest that says so instead of writing it, the next run on the
    /// unchanged input computes it from the checkpoint (and commits nothing),
    /// and a run after lines were appended reads only those.
    @Test func aSummaryTooLongToStoreIsComputedAgain() throws {
        let all = harness.generate(lines: 420_000, seed: 3) { options in
            options.sites = 10_000_000
            options.operators = 1
            options.visitors = 1
        }
        let cut = all.prefix(all.count - 1_000).lastIndex(of: UInt8(ascii: "\n"))! + 1
        try harness.write(Array(all[..<cut]), to: "log.jsonl")
        let first = try harness.run(["--stats", "log.jsonl"])
        #expect(first.status == 0 && first.stats["checkpoint-failures"] == "0", "\(first.stderr)")
        #expect(first.stdout.utf8.count > CheckpointMetadata.storedSummaryLimit)
        let manifest = try #require(harness.newestManifest())
        let manifestSize = try #require(try FileManager.default.attributesOfItem(atPath: manifest)[.size] as? Int)
        #expect(manifestSize < 64 << 10)
        let again = try harness.run(["--stats", "log.jsonl"])
        #expect(again.status == 0 && again.stdout == first.stdout)
        #expect(again.stderr.contains("unchanged since the run that finished it, whose summary was too long to store"), "\(again.stderr)")
        #expect(again.stats["bytes-read"] == "0" && again.stats["checkpoints"] == "0")
        #expect(harness.newestManifest() == manifest)
        try harness.append(Array(all[cut...]), to: "log.jsonl")
        let grown = try harness.run(["--stats", "log.jsonl"])
        #expect(grown.stdout == (try harness.reference("log.jsonl")))
        #expect(grown.stats["resumed-offset"] == "\(cut)" && grown.stats["bytes-read"] == "\(all.count - cut)")
    }

    @Test func appendedLinesAreTheOnlyBytesRead() throws {
        let all = harness.generate(lines: 8_000, seed: 4)
        let cut = all.prefix(all.count / 2).lastIndex(of: UInt8(ascii: "\n"))! + 1
        try harness.write(Array(all[..<cut]), to: "log.jsonl")
        #expect(try harness.run(["log.jsonl"]).status == 0)
        try harness.append(Array(all[cut...]), to: "log.jsonl")
        let grown = try harness.run(["--stats", "log.jsonl"])
        #expect(grown.stdout == (try harness.reference("log.jsonl")))
        #expect(grown.stats["resumed-offset"] == "\(cut)")
        #expect(grown.stats["bytes-read"] == "\(all.count - cut)")
        #expect(grown.stats["lines"] == (try harness.run(["--no-checkpoint", "--stats", "log.jsonl"])).stats["lines"])
    }

    @Test func unterminatedLastLineIsCountedButNotCommitted() throws {
        let line = #"{"id":"u1","type":"message","from":"v9","site_id":"42","timestamp":7,"data":{}}"#
        let head = harness.generate(lines: 1_000, seed: 5)
        let split = line.utf8.count / 2
        try harness.write(head + Array(line.utf8), to: "log.jsonl")
        let whole = try harness.run(["log.jsonl"])
        #expect(whole.stdout == (try harness.reference("log.jsonl")))
        #expect(whole.stdout.contains("42,messages=0,emails=1"))
        // A writer that was halfway through the line when the file was read.
        try harness.write(head + Array(line.utf8.prefix(split)), to: "other.jsonl")
        _ = try harness.run(["other.jsonl"])
        try harness.append(Array(line.utf8.dropFirst(split)) + [10], to: "other.jsonl")
        let completed = try harness.run(["--stats", "other.jsonl"])
        #expect(completed.stdout == (try harness.reference("other.jsonl")))
        #expect(completed.stdout.contains("42,messages=0,emails=1"))
        #expect(completed.stats["resumed-offset"] == "\(head.count)")
    }

    @Test func replacedOrTruncatedInputStartsOver() throws {
        try harness.writeLog(lines: 3_000, seed: 6)
        _ = try harness.run(["log.jsonl"])
        // Same path, other content: a new file (rotation).
        try FileManager.default.removeItem(atPath: harness.path("log.jsonl"))
        try harness.writeLog(lines: 3_000, seed: 7)
        let replaced = try harness.run(["--stats", "log.jsonl"])
        #expect(replaced.stdout == (try harness.reference("log.jsonl")))
        #expect(replaced.stderr.contains("starting over"))
        #expect(replaced.stats["resumed-offset"] == "0")
        // Truncated in place.
        let shorter = harness.generate(lines: 1_000, seed: 8)
        try harness.resize("log.jsonl", to: 0)
        try harness.append(shorter, to: "log.jsonl")
        let truncated = try harness.run(["--stats", "log.jsonl"])
        #expect(truncated.stdout == (try harness.reference("log.jsonl")))
        #expect(truncated.stderr.contains("truncated"))
        // Rewritten in place with other bytes of the same size.
        var rewritten = shorter
        rewritten[10] = rewritten[10] == UInt8(ascii: "a") ? UInt8(ascii: "b") : UInt8(ascii: "a")
        try harness.write(rewritten, to: "log.jsonl")
        let changed = try harness.run(["--stats", "log.jsonl"])
        #expect(changed.stdout == (try harness.reference("log.jsonl")))
        #expect(changed.stderr.contains("changed since the checkpoint"))
    }

    /// A checkpoint stores an id as a fingerprint and the offset of its line,
    /// and a resume reads that line again when a new line has an id with the
    /// same fingerprint. Here the line was rewritten (in a place the input's
    /// fingerprint does not sample) to carry another id, and a line with the
    /// old id appended: the run notices, starts over, and counts the appended
    /// line, as a run over the bytes now in the file does.
    @Test func aRewrittenLineTheCheckpointReadsAgainStartsOver() throws {
        var log = harness.generate(lines: 20_000, seed: 21)
        try harness.write(log, to: "log.jsonl")
        #expect(try harness.run(["log.jsonl"]).status == 0)
        let sampled = InputFingerprint.sampleRanges(upTo: UInt64(log.count))
        let prefix = Array(#"{"id":""#.utf8)
        var start = 0
        var chosen: (start: Int, id: [UInt8])?
        while chosen == nil, let newline = log[start...].firstIndex(of: 10) {
            let line = Array(log[start..<newline])
            let range = UInt64(start)..<UInt64(newline + 1)
            if start > log.count / 3, line.starts(with: prefix), line.count > 43, line[43] == UInt8(ascii: "\""),
               line.contains(Array("message".utf8)), !sampled.contains(where: { $0.overlaps(range) }) {
                chosen = (start, Array(line[7..<43]))
            }
            start = newline + 1
        }
        let (lineStart, id) = try #require(chosen)
        // The line now carries another id of the same length; the old id comes at the end.
        log[lineStart + 7 + 35] = log[lineStart + 7 + 35] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        try harness.write(log, to: "log.jsonl")
        let appended = #"{"id":"\#(String(decoding: id, as: UTF8.self))","type":"message","from":"late","site_id":"late","timestamp":1}"#
        try harness.append(Array(appended.utf8) + [10], to: "log.jsonl")
        let result = try harness.run(["--stats", "log.jsonl"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == (try harness.reference("log.jsonl")))
        #expect(result.stdout.contains("late,messages=0,emails=1,operators=0,visitors=1"))
        #expect(result.stderr.contains("no longer carries the id the checkpoint recorded"), "\(result.stderr)")
        #expect(result.stderr.contains("starting over"), "\(result.stderr)")
        #expect(result.stats["resumed-offset"] == "0")
    }

    @Test func damagedCheckpointIsNamedAndRecoveredFrom() throws {
        try harness.writeLog(lines: 6_000, seed: 9)
        let expected = try harness.reference("log.jsonl")
        _ = try harness.run(["-s", "1000", "log.jsonl"])
        let manifest = try #require(harness.newestManifest())
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: manifest)))
        bytes[bytes.count / 2] ^= 0x40
        try Data(bytes).write(to: URL(fileURLWithPath: manifest))
        let result = try harness.run(["--stats", "log.jsonl"])
        #expect(result.status == 0)
        #expect(result.stdout == expected)
        #expect(result.stderr.contains((manifest as NSString).lastPathComponent), "\(result.stderr)")
    }

    @Test func clearCache() throws {
        try harness.writeLog(lines: 2_000, seed: 10)
        _ = try harness.run(["log.jsonl"])
        let cleared = try harness.run(["-c", "--stats", "log.jsonl"])
        #expect(cleared.status == 0)
        #expect(cleared.stats["resumed-offset"] == "0")
        #expect(cleared.stats["bytes-read"] != "0")
        let removed = try harness.run(["--clear-cache"])
        #expect(removed.status == 0)
        #expect(!FileManager.default.fileExists(atPath: harness.path(".sitesum-cache")))
        #expect(try harness.run(["--clear-cache"]).status == 0)
    }

    @Test func noCheckpointLeavesNoCache() throws {
        try harness.writeLog(lines: 500, seed: 13)
        #expect(try harness.run(["--no-checkpoint", "log.jsonl"]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: harness.path(".sitesum-cache")))
    }

    @Test func inputsSharingACacheDirectoryStayApart() throws {
        try harness.write(harness.generate(lines: 2_000, seed: 14), to: "a.jsonl")
        try harness.write(harness.generate(lines: 2_000, seed: 15), to: "b.jsonl")
        for _ in 0..<2 {
            for name in ["a.jsonl", "b.jsonl"] {
                let result = try harness.run(["--cache-dir", "shared", name])
                #expect(result.stdout == (try harness.reference(name)))
                #expect(!result.stderr.contains("starting over"))
            }
        }
    }

    @Test func malformedLinesAreReportedWithLineAndByte() throws {
        var lines: [String] = []
        for i in 0..<15 {
            lines.append(#"{"id":"a\#(i)","type":"message","from":"v","site_id":"1","timestamp":\#(i)}"#)
            lines.append(#"{"id":"b\#(i)","type":"message"#)
        }
        try harness.write(Array((lines.joined(separator: "\n") + "\n").utf8), to: "log.jsonl")
        let result = try harness.run(["--stats", "log.jsonl"])
        #expect(result.status == 0)
        #expect(result.stdout == "1,messages=0,emails=15,operators=0,visitors=1\n")
        let reports = result.stderr.split(separator: "\n").filter { $0.contains("skipped malformed line") }
        #expect(reports.count == 10)
        #expect(reports.first?.contains("line 2 (byte ") == true)
        #expect(result.stderr.contains("15 malformed lines skipped"))
        #expect(result.stats["malformed"] == "15")
    }

    @Test func exitCodes() throws {
        #expect(try harness.run(["--bogus"]).status == 64)
        #expect(try harness.run([]).status == 64)
        #expect(try harness.run(["a", "b"]).status == 64)
        let missing = try harness.run(["missing.jsonl"])
        #expect(missing.status == 66)
        #expect(missing.stderr.contains("missing.jsonl"))
        #expect(try harness.run([harness.directory.path]).status == 66)
        try harness.write(Array(#"{"id":"x","type":"message","from":"v","site_id":"1","timestamp":1}"#.utf8) + [10] + Array("{oops\n".utf8), to: "bad.jsonl")
        let strict = try harness.run(["--strict", "bad.jsonl"])
        #expect(strict.status == 65)
        #expect(strict.stderr.contains("line 2"))
        #expect(strict.stdout.isEmpty)
        #expect(try harness.run(["bad.jsonl"]).status == 0)
        // Strict after a lenient run that already skipped the line: still refused.
        #expect(try harness.run(["--strict", "bad.jsonl"]).status == 65)
        try harness.write([], to: "blocker")
        let cache = try harness.run(["--cache-dir", "blocker/cache", "bad.jsonl"])
        #expect(cache.status == 73)
        #expect(cache.stderr.contains("blocker/cache"), "\(cache.stderr)")
    }

    @Test func aSecondRunOnTheSameInputIsRefusedWhileTheFirstHoldsIt() throws {
        try harness.writeLog(lines: 60_000, seed: 16)
        let first = try harness.start(["-s", "2000", "log.jsonl"])
        guard harness.waitForCheckpoint(after: nil, process: first.0) else {
            Issue.record("no checkpoint appeared")
            return
        }
        let second = try harness.run(["log.jsonl"])
        let firstResult = try harness.finish(first)
        #expect(firstResult.status == 0)
        if second.status != 0 {  // the first run may have finished in between
            #expect(second.status == 73)
            #expect(second.stderr.contains("in use by another sitesum run"), "\(second.stderr)")
        }
        #expect(try harness.run(["log.jsonl"]).stdout == firstResult.stdout)
    }

    @Test func overLongLinesAreMalformedAndTheLimitIsPartOfTheCheckpoint() throws {
        let short = #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":1}"#
        let long = #"{"id":"b","type":"message","from":"v","site_id":"1","timestamp":2,"data":{"message":"\#(String(repeating: "x", count: 300))"}}"#
        try harness.write(Array("\(short)\n\(long)\n".utf8), to: "log.jsonl")
        let limited = try harness.run(["--max-line-length", "100", "--stats", "log.jsonl"])
        #expect(limited.stdout == "1,messages=0,emails=1,operators=0,visitors=1\n")
        #expect(limited.stderr.contains("line 2 (byte \(short.utf8.count + 1))"), "\(limited.stderr)")
        #expect(limited.stderr.contains("over the limit of 100"))
        let unlimited = try harness.run(["--stats", "log.jsonl"])
        #expect(unlimited.stdout == "1,messages=0,emails=2,operators=0,visitors=1\n")
        #expect(unlimited.stderr.contains("--max-line-length"), "\(unlimited.stderr)")
    }

    @Test func clearCacheLeavesOtherDirectoriesAlone() throws {
        try FileManager.default.createDirectory(atPath: harness.path("notes"), withIntermediateDirectories: true)
        try harness.write(Array("keep me".utf8), to: "notes/todo.txt")
        let refused = try harness.run(["--clear-cache", "--cache-dir", "notes"])
        #expect(refused.status == 73)
        #expect(refused.stderr.contains("not a sitesum cache directory"))
        #expect(FileManager.default.fileExists(atPath: harness.path("notes/todo.txt")))
    }

    @Test func aPipeIsReadWithoutCheckpoints() throws {
        let bytes = harness.generate(lines: 2_000, seed: 17)
        try harness.write(bytes, to: "log.jsonl")
        let expected = try harness.reference("log.jsonl")
        #expect(mkfifo(harness.path("pipe"), 0o600) == 0)
        // If sitesum stopped reading early, the write must fail this test, not kill the test process.
        signal(SIGPIPE, SIG_IGN)
        let started = try harness.start(["pipe"])
        let writer = try FileHandle(forWritingTo: URL(fileURLWithPath: harness.path("pipe")))
        try writer.write(contentsOf: Data(bytes))
        try writer.close()
        let result = try harness.finish(started)
        #expect(result.status == 0)
        #expect(result.stdout == expected)
        #expect(result.stderr.contains("not a regular file"))
    }

    /// `-` reads standard input, whether a pipe or a redirected file, as it
    /// comes and without checkpoints: nothing names it for a run to resume.
    @Test(arguments: ["exec < log.jsonl", "exec < <(cat log.jsonl)"])
    func aDashReadsStandardInputWithoutCheckpoints(_ redirection: String) throws {
        try harness.writeLog(lines: 2_000, seed: 19)
        let expected = try harness.reference("log.jsonl")
        let result = try harness.finish(harness.start(["-s", "100", "-"], shellSetup: redirection))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == expected)
        #expect(result.stderr.contains("reading standard input: running without checkpoints"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: harness.path(".sitesum-cache")))
    }

    @Test func standardInputThatCannotBeReadIsNamed() throws {
        let closed = try harness.finish(harness.start(["-"], shellSetup: "exec <&-"))
        #expect(closed.status == 66)
        #expect(closed.stderr.contains("cannot read standard input: "), "\(closed.stderr)")
        let directory = try harness.finish(harness.start(["-"], shellSetup: "exec < ."))
        #expect(directory.status == 66)
        #expect(directory.stderr.contains("cannot read standard input: it is a directory"), "\(directory.stderr)")
        let clear = try harness.run(["--clear-cache", "-"])
        #expect(clear.status == 64)
        #expect(clear.stderr.contains("standard input has no checkpoints to clear"), "\(clear.stderr)")
    }

    /// A summary that cannot be written (here standard output is a full
    /// device) is exit 74 with the write's error; the final checkpoint was
    /// committed before the summary was printed, so the next run on the
    /// unchanged input prints it from there, without reading the input.
    @Test func aSummaryThatCannotBeWrittenIsExit74AndNothingIsLost() throws {
        try harness.writeLog(lines: 2_000, seed: 23)
        let expected = try harness.reference("log.jsonl")
        let full = try harness.finish(harness.start(["-s", "500", "log.jsonl"], shellSetup: "exec > /dev/full"))
        #expect(full.status == 74, "\(full.stderr)")
        #expect(full.stderr.contains("cannot write the output: "), "\(full.stderr)")
        let again = try harness.run(["--stats", "log.jsonl"])
        #expect(again.status == 0 && again.stdout == expected, "\(again.stderr)")
        #expect(again.stderr.contains("unchanged since the run that finished it"), "\(again.stderr)")
        #expect(again.stats["bytes-read"] == "0", "\(again.stderr)")
    }

    /// A reader that went away before the summary came (`sitesum FILE |
    /// head -1` on a long summary) ends the run by SIGPIPE, as it ends other
    /// Unix tools: exit 141 in a shell. The final checkpoint was committed
    /// before the summary was printed, so nothing is lost. Standard output
    /// here is a pipe whose reader has already gone (a FIFO its reader
    /// opened, then closed), and SIGPIPE's action is put back to the
    /// default: the test process may ignore it (other tests here make it),
    /// and its children would inherit that.
    @Test(.enabled(if: BinaryHarness.envResetsSignals, "needs env --default-signal (coreutils 8.31 or later)"))
    func aReaderThatWentAwayEndsTheRunBySIGPIPEAndNothingIsLost() throws {
        try harness.writeLog(lines: 2_000, seed: 23)
        let expected = try harness.reference("log.jsonl")
        let script = """
            mkfifo reader-gone || exit 1
            { exec < reader-gone; } &
            exec > reader-gone
            wait
            exec /usr/bin/env --default-signal=PIPE "$0" "$@"
            """
        let gone = try harness.finish(harness.start(
            ["-c", script, BinaryHarness.binary, "-s", "500", "log.jsonl"], executable: "/bin/bash"))
        #expect(gone.reason == .uncaughtSignal && gone.status == SIGPIPE,
                "\(gone.reason) \(gone.status): \(gone.stderr)")
        #expect(!gone.stderr.contains("cannot write"), "\(gone.stderr)")
        let again = try harness.run(["--stats", "log.jsonl"])
        #expect(again.status == 0 && again.stdout == expected, "\(again.stderr)")
        #expect(again.stderr.contains("unchanged since the run that finished it"), "\(again.stderr)")
        #expect(again.stats["bytes-read"] == "0", "\(again.stderr)")
    }

    /// When the system refuses a run the memory it needs, sitesum says so
    /// and exits 71, instead of crashing, and what is on disk stays usable.
    /// The id set is sized from the bytes ahead before any line is read, so
    /// a log of a few thousand lines stretched to 8 GiB (a sparse file, its
    /// tail never read) asks for a table of about a gigabyte, which a 200 MB
    /// address-space limit (`ulimit -v`) refuses; the log cut back to its
    /// lines then runs as usual, in the same cache directory.
    @Test func runningOutOfMemoryIsAnErrorWithItsOwnStatus() throws {
        let lines = harness.generate(lines: 20_000, seed: 22)
        try harness.write(lines, to: "log.jsonl")
        let expected = try harness.reference("log.jsonl")
        try harness.resize("log.jsonl", to: 8 << 30)
        let refused = try harness.finish(harness.start(["-s", "5000", "log.jsonl"], shellSetup: "ulimit -v 200000"))
        #expect(refused.status == 71, "\(refused.stderr)")
        #expect(refused.stderr.contains("sitesum: error: out of memory: cannot map "), "\(refused.stderr)")
        #expect(refused.stdout.isEmpty)
        try harness.resize("log.jsonl", to: UInt64(lines.count))
        let result = try harness.run(["-s", "5000", "log.jsonl"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == expected)
    }

    /// A thread the system refuses (here a limit of one process for the
    /// user the run is, `ulimit -u 1`, which only a user without root's
    /// privileges is held to) ends the run as a refused table does: exit
    /// 71 and the reason, not a crash. The same run then answers where
    /// threads are allowed.
    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"),
                   "needs root and setpriv to run as another user under a limit on processes"))
    func aThreadTheSystemRefusesIsAnErrorWithTheOutOfMemoryStatus() throws {
        try harness.writeLog(lines: 20_000, seed: 23)
        let expected = try harness.reference("log.jsonl")
        let refused = try harness.finish(harness.start(
            ["--reuid", "65534", "--regid", "65534", "--clear-groups", "/bin/bash", "-c",
             "ulimit -u 1 && exec \"$0\" \"$@\"", BinaryHarness.binary, "--no-checkpoint", "log.jsonl"],
            executable: "/usr/bin/setpriv"))
        #expect(refused.status == 71, "\(refused.stderr)")
        #expect(refused.stderr.contains("sitesum: error: out of memory: cannot start a thread ("), "\(refused.stderr)")
        #expect(refused.stdout.isEmpty)
        let result = try harness.run(["--no-checkpoint", "log.jsonl"])
        #expect(result.status == 0 && result.stdout == expected)
    }

    #if compiler(>=6.3) && canImport(Glibc)
    /// Without `/proc` (a chroot, a bare container) the Swift runtime has no
    /// command line to give; sitesum takes its arguments from glibc instead
    /// (`ProgramArguments`, built by Swift 6.3 and later). The run goes in a
    /// mount namespace of its own with `/proc` unmounted, which needs the
    /// privilege to make one (root here, in CI).
    @Test(.enabled(if: EndToEndTests.canHideProc, "needs unshare -m (root) to run without /proc"))
    func argumentsAreReadWithoutProc() throws {
        try harness.writeLog(lines: 1_000, seed: 20)
        let expected = try harness.reference("log.jsonl")
        let result = try harness.finish(harness.start(
            ["-m", "/bin/sh", "-c", "umount -l /proc && test ! -e /proc/self && exec \"$0\" \"$@\"",
             BinaryHarness.binary, "-s", "300", "log.jsonl"],
            executable: "/usr/bin/unshare"))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == expected)
    }

    /// Without `/proc` a resume runs every helper thread a run has (the
    /// table's pages, its layout, the summary's sweep). They are sitesum's
    /// own: libdispatch's pool, which did that work before, stops a process
    /// with an illegal instruction when it cannot read `/proc/<thread>/stat`,
    /// which this test met about once in seven runs of the suite (a log of
    /// 1,000 lines; in 4 of 300 runs of that log on a loaded machine). Each
    /// round here takes checkpoints of a log of 250,000 lines, then resumes
    /// after more lines are appended.
    @Test(.enabled(if: EndToEndTests.canHideProc, "needs unshare -m (root) to run without /proc"))
    func aResumeRunsWithoutProc() throws {
        func runWithoutProc(_ arguments: [String]) throws -> BinaryHarness.Result {
            try harness.finish(harness.start(
                ["-m", "/bin/sh", "-c", "umount -l /proc && test ! -e /proc/self && exec \"$0\" \"$@\"",
                 BinaryHarness.binary] + arguments,
                executable: "/usr/bin/unshare"))
        }
        for round in 0..<2 {
            try? FileManager.default.removeItem(atPath: harness.path(".sitesum-cache"))
            try harness.writeLog(lines: 250_000, seed: 30 + UInt64(round))
            let first = try runWithoutProc(["-s", "50000", "--stats", "log.jsonl"])
            #expect(first.status == 0, "\(first.stderr)")
            #expect(first.stdout == (try harness.reference("log.jsonl")))
            try harness.append(harness.generate(lines: 20_000, seed: 40 + UInt64(round)), to: "log.jsonl")
            let resumed = try runWithoutProc(["-s", "50000", "--stats", "log.jsonl"])
            #expect(resumed.status == 0, "\(resumed.stderr)")
            #expect(resumed.stats["resumed-offset"] != "0", "\(resumed.stderr)")
            #expect(resumed.stdout == (try harness.reference("log.jsonl")))
        }
    }

    /// The program's own code starts no thread of Dispatch's pool (see
    /// above): no source file of its targets imports Dispatch.
    @Test func theProgramDoesNotUseDispatch() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources")
        let enumerator = try #require(FileManager.default.enumerator(atPath: sources.path))
        var files = 0
        for case let file as String in enumerator where file.hasSuffix(".swift") {
            files += 1
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            #expect(!text.split(separator: "\n").contains { $0.hasPrefix("import Dispatch") }, "\(file)")
        }
        #expect(files > 50)
    }

    static let canHideProc: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        process.arguments = ["-m", "/bin/sh", "-c", "umount -l /proc"]
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()
    #endif

    /// A pipe whose writer keeps it open without writing keeps a read
    /// waiting; SIGTERM still stops the run at once (exit 143), where it
    /// used to wait for more input or the pipe's end. As a named pipe and
    /// as standard input.
    @Test(arguments: [(["pipe"], nil), (["-"], "exec < pipe")] as [([String], String?)])
    func aSignalStopsARunWaitingForInput(arguments: [String], shellSetup: String?) throws {
        #expect(mkfifo(harness.path("pipe"), 0o600) == 0)
        signal(SIGPIPE, SIG_IGN)
        let started = try harness.start(arguments, shellSetup: shellSetup)
        let writer = try FileHandle(forWritingTo: URL(fileURLWithPath: harness.path("pipe")))
        defer { try? writer.close() }
        try writer.write(contentsOf: Data(harness.generate(lines: 300, seed: 21)))
        // The notice comes after the signal handlers are in place.
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline,
              !((try? String(contentsOf: started.stderr, encoding: .utf8)) ?? "").contains("running without checkpoints") {
            usleep(10_000)
        }
        usleep(200_000)
        kill(started.0.processIdentifier, SIGTERM)
        let stopDeadline = Date().addingTimeInterval(10)
        while started.0.isRunning && Date() < stopDeadline { usleep(10_000) }
        if started.0.isRunning {
            Issue.record("sitesum still waits for input 10 s after SIGTERM")
            kill(started.0.processIdentifier, SIGKILL)
        }
        let result = try harness.finish(started)
        #expect(result.status == 143, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("stopped by SIGTERM"), "\(result.stderr)")
    }

    @Test func tinyReadBlocksAndSaveIntervalsGiveTheSameAnswer() throws {
        try harness.writeLog(lines: 1_500, seed: 18)
        let expected = try harness.reference("log.jsonl")
        for (block, interval) in [("7", "1"), ("100", "13"), ("4K", "250")] {
            let result = try harness.run(["-c", "--block-size", block, "-s", interval, "--stats", "log.jsonl"])
            #expect(result.status == 0)
            #expect(result.stdout == expected, "block \(block), interval \(interval)")
            let resumed = try harness.run(["--block-size", block, "log.jsonl"])
            #expect(resumed.stdout == expected)
        }
    }

    @Test func checkpointsThatCannotBeWrittenDoNotStopTheRun() throws {
        try harness.writeLog(lines: 6_000, seed: 19)
        let expected = try harness.reference("log.jsonl")
        // A run that dies right after its third checkpoint leaves good ones behind.
        let first = try harness.run(["-s", "150", "log.jsonl"], environment: ["SITESUM_CRASHPOINT": "checkpoint-done:3"])
        #expect(first.stderr.contains("crash point checkpoint-done:3 reached"), "\(first.stderr)")
        // Then files may not exceed 8 KiB (enough for stderr's file), and each
        // checkpoint's segment (1,000 events) is larger: every one fails with
        // EFBIG, as on a full disk.
        let limited = try harness.finish(harness.start(
            ["-s", "2000", "--stats", "log.jsonl"], shellSetup: "trap '' XFSZ; ulimit -f 8"))
        #expect(limited.status == 0, "\(limited.stderr)")
        #expect(limited.stdout == expected)
        #expect(limited.stderr.contains("could not save a checkpoint"), "\(limited.stderr)")
        #expect(limited.stats["checkpoint-failures"] != "0")
        #expect(limited.stats["resumed-offset"] != "0", "\(limited.stderr)")
        // With room again, the last good checkpoint is still there and the answer the same.
        let resumed = try harness.run(["--stats", "log.jsonl"])
        #expect(resumed.stdout == expected)
        #expect(resumed.stats["resumed-offset"] == limited.stats["resumed-offset"], "\(resumed.stderr)")
        #expect(!resumed.stderr.contains("starting over") && !resumed.stderr.contains("unusable"), "\(resumed.stderr)")
    }

    @Test func generateIsDeterministic() throws {
        let a = try harness.run(["generate", "--lines", "300", "--seed", "5", "-o", "a.jsonl"])
        let b = try harness.run(["generate", "--lines", "300", "--seed", "5", "-o", "b.jsonl"])
        #expect(a.status == 0 && b.status == 0)
        let first = try Data(contentsOf: URL(fileURLWithPath: harness.path("a.jsonl")))
        #expect(first == (try Data(contentsOf: URL(fileURLWithPath: harness.path("b.jsonl")))))
        #expect(first.filter { $0 == 10 }.count == 300)
    }
}

@Suite(.serialized) final class CrashPointEndToEndTests {
    /// A scratch directory of each test's own: Swift Testing makes a new
    /// instance of the suite for every test, and drops it when the test ends.
    let harness: BinaryHarness

    init() throws { harness = try BinaryHarness() }
    deinit { harness.cleanUp() }

    @Test func listCrashPointsNamesEveryPoint() throws {
        let result = try harness.run(["--list-crashpoints"])
        #expect(result.status == 0)
        #expect(result.stdout.split(separator: "\n").map { String($0.split(separator: " ")[0]) }
            == CrashPoint.allCases.map(\.rawValue))
    }

    @Test func dyingAtATornSegmentLeavesHalfATemporaryFileAndTheNextRunRecovers() throws {
        try harness.writeLog(lines: 3000, seed: 21) { $0.malformedRate = 0 }
        let reference = try harness.reference("log.jsonl")
        let crashed = try harness.run(["-s", "500", "log.jsonl"], environment: ["SITESUM_CRASHPOINT": "segment-torn:2"])
        #expect(crashed.status == SIGKILL)  // Process reports a signal death as the signal number
        #expect(crashed.stderr.contains("crash point segment-torn:2 reached"))
        let files = try harness.entryFiles()
        #expect(files.contains { $0.hasPrefix("segment-") && $0.hasSuffix(".seg.tmp") })
        #expect(files.filter { $0.hasPrefix("MANIFEST-") }.count == 1)
        let resumed = try harness.run(["-s", "500", "log.jsonl"])
        #expect(resumed.status == 0 && resumed.stdout == reference)
        // Resumed right after the first checkpoint: checkpoints come every half
        // save interval, so at 250 events (blank lines are not events).
        #expect((251...270).contains(CrashPointEndToEndTests.resumedLine(resumed.stderr) ?? 0))
    }

    @Test func aFullDiskIsAWarningAndTheLastGoodCheckpointStays() throws {
        try harness.writeLog(lines: 3000, seed: 22) { $0.malformedRate = 0 }
        let reference = try harness.reference("log.jsonl")
        let first = try harness.run(["-s", "1000", "log.jsonl"], environment: ["SITESUM_CRASHPOINT": "checkpoint-done:1"])
        #expect(first.status == SIGKILL)
        let full = try harness.run(["-s", "1000", "log.jsonl"], environment: ["SITESUM_FAULT": "ENOSPC@segment-written"])
        #expect(full.status == 0 && full.stdout == reference)
        #expect(full.stderr.contains("No space left on device"))
        #expect(full.stderr.contains("the previous checkpoint is kept"))
        let healed = try harness.run(["-s", "1000", "log.jsonl"])
        #expect(healed.status == 0 && healed.stdout == reference)
        // From the first checkpoint, every half save interval: 500 events.
        #expect((501...520).contains(CrashPointEndToEndTests.resumedLine(healed.stderr) ?? 0))
    }

    @Test func shortChainsMergeInTheBackgroundWithTheSameAnswer() throws {
        try harness.writeLog(lines: 3000, seed: 24)
        let reference = try harness.reference("log.jsonl")
        let merged = try harness.run(["-s", "40", "--max-segments", "3", "--stats", "log.jsonl"])
        #expect(merged.status == 0 && merged.stdout == reference)
        #expect(!merged.stderr.contains("could not"), "\(merged.stderr)")
        let segments = try harness.entryFiles().filter { $0.hasPrefix("segment-") }
        // About 150 checkpoints; the chain never grew past three segments
        // (plus those of the manifest kept before the newest).
        #expect(Int(merged.stats["checkpoints"] ?? "") ?? 0 > 100)
        #expect(segments.count <= 6, "\(segments)")
        // Appended lines resume from that chain.
        try harness.append(harness.generate(lines: 500, seed: 25), to: "log.jsonl")
        let grown = try harness.run(["-s", "40", "--max-segments", "3", "--stats", "log.jsonl"])
        let grownReference = try harness.reference("log.jsonl")
        #expect(grown.status == 0 && grown.stdout == grownReference)
        #expect(grown.stats["resumed-offset"] != "0", "\(grown.stderr)")
        #expect(try harness.run(["--max-segments", "1", "log.jsonl"]).status == 64)
    }

    @Test(arguments: ["merge-torn", "merge-written", "merge-synced", "merge-renamed"])
    func dyingInAMergeLosesNoCheckpoint(point: String) throws {
        try harness.writeLog(lines: 3000, seed: 26) { $0.malformedRate = 0 }
        let reference = try harness.reference("log.jsonl")
        // Segments of 100 events; the second merge begins after the fifth checkpoint
        // (the first after the third) and is finished at the step after that commit.
        let crashed = try harness.run(["-s", "200", "--max-segments", "3", "log.jsonl"],
                                      environment: ["SITESUM_CRASHPOINT": "\(point):2"])
        #expect(crashed.status == SIGKILL)
        #expect(crashed.stderr.contains("crash point \(point):2 reached"), "\(crashed.stderr)")
        let resumed = try harness.run(["log.jsonl"])
        #expect(resumed.status == 0 && resumed.stdout == reference)
        #expect(!resumed.stderr.contains("unusable") && !resumed.stderr.contains("starting over"), "\(resumed.stderr)")
        // From the fifth checkpoint (500 events): its commit was durable before the merge's step.
        #expect((501...520).contains(Self.resumedLine(resumed.stderr) ?? 0), "\(resumed.stderr)")
    }

    @Test func aMergeThatFailsIsAWarningAndTheRunGoesOn() throws {
        try harness.writeLog(lines: 3000, seed: 27) { $0.malformedRate = 0 }
        let reference = try harness.reference("log.jsonl")
        let full = try harness.run(["-s", "200", "--max-segments", "3", "--stats", "log.jsonl"],
                                   environment: ["SITESUM_FAULT": "ENOSPC@merge-written"])
        #expect(full.status == 0 && full.stdout == reference)
        #expect(full.stderr.contains("could not compact the checkpoints"), "\(full.stderr)")
        #expect(full.stderr.contains("No space left on device"))
        #expect(full.stats["checkpoint-failures"] == "0")
        let again = try harness.run(["--stats", "log.jsonl"])
        #expect(again.status == 0 && again.stdout == reference)
        #expect(again.stderr.contains("unchanged since the run that finished it"), "\(again.stderr)")
    }

    /// The line number of a "resuming … at line N," notice.
    static func resumedLine(_ stderr: String) -> Int? {
        guard let range = stderr.range(of: " at line ") else { return nil }
        return Int(stderr[range.upperBound...].prefix { $0.isNumber })
    }

    @Test func anUnusableCacheIsExit73() throws {
        try harness.writeLog(lines: 100, seed: 23)
        let refused = try harness.run(["log.jsonl"], environment: ["SITESUM_FAULT": "EROFS@cache-open"])
        #expect(refused.status == 73)
        #expect(refused.stderr.contains("cannot use cache directory '.sitesum-cache'"))
        #expect(refused.stderr.contains("Read-only file system"))
    }

    @Test func aBadInjectionVariableIsAUsageError() throws {
        try harness.writeLog(lines: 10, seed: 24)
        let result = try harness.run(["log.jsonl"], environment: ["SITESUM_CRASHPOINT": "segmnet-torn"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("SITESUM_CRASHPOINT: unknown point 'segmnet-torn'"))
    }
}
