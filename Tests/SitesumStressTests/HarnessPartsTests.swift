#if canImport(Glibc)
import Glibc
#endif
@testable import SitesumStress
import SitesumGenerator
import Testing

@Suite struct HarnessPartsTests {
    @Test func optionsHaveQuickAndFullDefaults() throws {
        let quick = try #require(try StressOptions.parse(["--quick", "--seed", "9"]))
        #expect(quick.quick && quick.seed == 9 && quick.kills == 36 && quick.lines == 100_000)
        let full = try #require(try StressOptions.parse(["--kills", "1000", "--input", "log.jsonl", "--binary", "/x/sitesum"]))
        #expect(!full.quick && full.kills == 1000 && full.input == "log.jsonl" && full.binary == "/x/sitesum")
        #expect(try StressOptions.parse(["--help"]) == nil)
    }

    @Test func badOptionsAreRefused() {
        for arguments in [["--kills"], ["--kills", "-3"], ["--seed", "x"], ["--lines", "10"], ["--frobnicate"]] {
            #expect(throws: StressError.self) { try StressOptions.parse(arguments) }
        }
    }

    @Test func theReproduceCommandReplaysOneScenarioWithTheSameChoices() throws {
        let options = try #require(try StressOptions.parse(["--quick", "--seed", "77", "--lines", "5000"]))
        #expect(options.reproduceCommand(scenario: "kills#3")
            == "swift run -c release sitesum-stress --quick --seed 77 --kills 36 --lines 5000 --only 'kills#3'")
        #expect(try StressOptions.parse(["--quick", "--seed", "77", "--lines", "5000", "--only", "kills#3"])?.only == "kills#3")
    }

    @Test func lineMapCountsWholeLinesBetweenOffsets() {
        // Lines end at 4, 5 (blank), 9, 12 (blank: whitespace only); then an unterminated tail.
        let map = LineMap(Array("abc\n\nxyz\n \t\nend".utf8))
        #expect(map.count == 4)
        #expect(map.offset(afterLine: 1) == 4 && map.offset(afterLine: 4) == 12 && map.offset(afterLine: 5) == nil)
        #expect(map.lines(from: 0, to: 16) == 4)
        #expect(map.lines(from: 4, to: 9) == 2)
        #expect(map.lines(from: 5, to: 8) == 0)
        #expect(map.lines(from: 9, to: 4) == 0)
        #expect(map.blankLines(from: 0, to: 16) == 2)
        #expect(map.blankLines(from: 5, to: 12) == 1)
        #expect(map.offset(afterNonBlankLines: 1) == 4 && map.offset(afterNonBlankLines: 2) == 9)
        #expect(map.offset(afterNonBlankLines: 3) == nil && map.offset(afterNonBlankLines: 0) == nil)
    }

    @Test func waitStatusesDecode() {
        #expect(Termination(waitStatus: 0) == .exited(0))
        #expect(Termination(waitStatus: 130 << 8) == .exited(130))
        #expect(Termination(waitStatus: SIGKILL) == .signaled(SIGKILL))
    }

    /// A child's stdout through a pipe (how the harness runs sitesum under a
    /// file size limit): all of it arrives, more than a pipe holds at once,
    /// and the limit, which a file would be held to, does not apply.
    @Test func stdoutThroughAPipeArrivesWholeAndUnlimited() throws {
        let error = "/tmp/sitesum-harness-pipe-\(getpid()).err"
        defer { unlink(error) }
        let child = try ChildProcess.spawn(
            "/bin/sh", ["-c", "ulimit -f 1; head -c 300000 /dev/zero | tr '\\0' x; exit 3"],
            environment: [:], stdout: nil, stderr: error)
        #expect(child.wait() == .exited(3))
        #expect(child.capturedStdout() == [UInt8](repeating: UInt8(ascii: "x"), count: 300_000))
    }

    @Test func signalsEndRunsAsDocumented() {
        #expect(KillScenario.expectedEnd(of: .signaled(SIGKILL), after: SIGKILL))
        #expect(KillScenario.expectedEnd(of: .exited(130), after: SIGINT))
        #expect(KillScenario.expectedEnd(of: .signaled(SIGINT), after: SIGINT))
        #expect(KillScenario.expectedEnd(of: .exited(143), after: SIGTERM))
        #expect(KillScenario.expectedEnd(of: .exited(129), after: SIGHUP))
        #expect(!KillScenario.expectedEnd(of: .exited(143), after: SIGHUP))
        #expect(!KillScenario.expectedEnd(of: .exited(0), after: SIGKILL))
        #expect(!KillScenario.expectedEnd(of: .exited(74), after: SIGTERM))
        #expect(!KillScenario.expectedEnd(of: .signaled(SIGSEGV), after: SIGINT))
    }

    @Test func resumeNoticesGiveTheOffset() {
        func result(_ stderr: String) -> RunResult {
            RunResult(termination: .exited(0), stdout: [], stderr: stderr, seconds: 0)
        }
        #expect(result("sitesum: resuming 'in.jsonl' at line 4011, byte 612052 of 3054628 (20.0%)\n").resumedOffset == 612052)
        #expect(result("sitesum: warning: checkpoint 'x': truncated; starting over from the beginning\n").resumedOffset == 0)
        #expect(result("sitesum: warning: skipped malformed line 3 (byte 7): bad\n").resumedOffset == nil)
    }

    @Test func commandLinesQuoteWhatTheShellWouldSplit() {
        let command = SitesumCommand(["-s", "5", "my log.jsonl"], environment: ["SITESUM_CRASHPOINT": "segment-torn:2"])
        #expect(command.commandLine(binary: "/bin/sitesum") == "SITESUM_CRASHPOINT=segment-torn:2 /bin/sitesum -s 5 'my log.jsonl'")
        #expect(SitesumCommand.quoted("it's") == "'it'\\''s'")
        let limited = SitesumCommand(["f"], shellSetup: "ulimit -f 64")
        #expect(limited.commandLine(binary: "sitesum") == "(ulimit -f 64; exec sitesum f)")
    }

    @Test func theLastLineHasTheDocumentedForm() {
        var report = StressReport()
        report.kills = 36
        report.crashPoints = 31
        report.corruptions = 9
        report.inputChanges = 6
        report.faults = 6
        report.lostLines = [0, 10, 5]
        let lines = report.lines(seed: 42, elapsed: 75.84)
        #expect(lines.last == "stress: kills=36 crashpoints=31 corruptions=9 input-changes=6 faults=6 mismatches=0 lost-lines-max=10 seed=42 elapsed=75.8s")
        #expect(lines.first == "lost lines per kill: measured=3 mean=5.0 max=10")
    }

    @Test func mismatchesArePrintedWithWhatReproducesThem() {
        var report = StressReport()
        report.mismatches = [Mismatch(scenario: "kills#2", seed: 7, message: "differs", reproduce: "swift run x", lastCommand: "sitesum f")]
        let lines = report.lines(seed: 7, elapsed: 1)
        #expect(lines.prefix(3) == ["MISMATCH scenario=kills#2 seed=7: differs", "  reproduce: swift run x", "  sitesum command: sitesum f"])
        #expect(lines.last?.contains(" mismatches=1 ") == true)
    }

    @Test func scenarioSeedsDependOnTheNameAndTheSeed() {
        let a = SplitMix64.scenarioSeed(1, "kills#1")
        #expect(a == SplitMix64.scenarioSeed(1, "kills#1"))
        #expect(a != SplitMix64.scenarioSeed(1, "kills#2"))
        #expect(a != SplitMix64.scenarioSeed(2, "kills#1"))
    }

    @Test func logUniformStaysInRangeAndReachesBothEnds() {
        var rng = SplitMix64(state: 3)
        let values = (0..<2000).map { _ in rng.logUniform(upTo: 100_000) }
        #expect(values.allSatisfy { (1...100_000).contains($0) })
        #expect(values.contains { $0 < 10 } && values.contains { $0 > 10_000 })
    }
}
