import Testing
@testable import SitesumCLI

@Suite struct InvocationTests {
    func run(_ arguments: [String]) throws -> RunOptions {
        guard case .run(let options) = try Invocation.parse(arguments) else {
            Issue.record("expected a run for \(arguments)")
            return RunOptions(inputPath: "")
        }
        return options
    }

    func usageError(_ arguments: [String]) -> String? {
        do {
            _ = try Invocation.parse(arguments)
            return nil
        } catch {
            #expect(error.exitCode == .usage)
            return error.message
        }
    }

    @Test func defaults() throws {
        let options = try run(["events.jsonl"])
        #expect(options.inputPath == "events.jsonl")
        #expect(options.saveInterval == RunOptions.defaultSaveInterval)
        #expect(options.cacheDirectory == ".sitesum-cache")
        #expect(options.checkpoints && !options.clearCache && !options.strict && !options.quiet)
        #expect(options.maxLineLength == 1 << 20)
    }

    @Test(arguments: [
        ["-s", "500", "f"], ["-s500", "f"], ["--save-interval", "500", "f"], ["--save-interval=500", "f"],
        ["f", "-s", "500"], ["--save-interval", "5_00", "f"],
    ])
    func saveIntervalSpellings(_ arguments: [String]) throws {
        let options = try run(arguments)
        #expect(options.saveInterval == 500)
        #expect(options.inputPath == "f")
    }

    @Test func flagsAndBundles() throws {
        let options = try run(["-cq", "--strict", "--stats", "--cache-dir", "/tmp/c", "f"])
        #expect(options.clearCache && options.quiet && options.strict && options.stats)
        #expect(options.cacheDirectory == "/tmp/c")
        #expect(try run(["--no-checkpoint", "f"]).checkpoints == false)
    }

    @Test func maxLineLengthSuffixes() throws {
        #expect(try run(["--max-line-length", "4M", "f"]).maxLineLength == 4 << 20)
        #expect(try run(["--max-line-length=512k", "f"]).maxLineLength == 512 << 10)
        #expect(try run(["--max-line-length", "100000", "f"]).maxLineLength == 100_000)
        #expect(usageError(["--max-line-length", "1", "f"]) != nil)
        #expect(usageError(["--max-line-length", "9999999G", "f"]) != nil)
    }

    @Test func doubleDashEndsOptions() throws {
        #expect(try run(["--", "-weird-name"]).inputPath == "-weird-name")
    }

    @Test func aDashIsStandardInput() throws {
        let options = try run(["-q", "-"])
        #expect(options.readsStandardInput && options.inputName == "standard input")
        #expect(try run(["--no-checkpoint", "-"]).readsStandardInput)
        // A file named "-" is still reachable, and named as a file.
        let file = try run(["./-"])
        #expect(!file.readsStandardInput && file.inputName == "'./-'")
        #expect(try run(["--", "-"]).readsStandardInput)
        #expect(usageError(["--clear-cache", "-"])?.contains("standard input has no checkpoints") == true)
    }

    @Test func clearCacheWithoutFile() throws {
        #expect(try Invocation.parse(["--clear-cache"]) == .clearCache(cacheDirectory: ".sitesum-cache"))
        #expect(try Invocation.parse(["-c", "--cache-dir", "x"]) == .clearCache(cacheDirectory: "x"))
    }

    @Test func helpAndVersion() throws {
        guard case .help(let text) = try Invocation.parse(["--help"]) else { Issue.record("no help"); return }
        #expect(text.contains("--save-interval") && text.contains("EXIT STATUS") && text.contains("EXAMPLES"))
        #expect(try Invocation.parse(["-h"]) == .help(text))
        #expect(try Invocation.parse(["--version"]) == .version)
        guard case .help(let generateText) = try Invocation.parse(["generate", "--help"]) else { Issue.record("no help"); return }
        #expect(generateText.contains("--duplicates"))
    }

    @Test func usageErrorsNameTheProblem() {
        #expect(usageError([])?.contains("no input file") == true)
        #expect(usageError(["a", "b"])?.contains("one input file") == true)
        #expect(usageError(["--bogus", "f"])?.contains("--bogus") == true)
        #expect(usageError(["-s", "0", "f"])?.contains("--save-interval") == true)
        #expect(usageError(["-s", "ten", "f"])?.contains("'ten'") == true)
        #expect(usageError(["f", "-s"])?.contains("needs a value") == true)
        #expect(usageError(["--strict=yes", "f"])?.contains("takes no value") == true)
        #expect(usageError(["--no-checkpoint", "-c", "f"])?.contains("--clear-cache") == true)
        #expect(usageError(["--cache-dir", "", "f"]) != nil)
    }

    @Test func generateOptions() throws {
        let command = try Invocation.parse([
            "generate", "--lines", "100", "--seed", "7", "--sites", "3", "--operators", "2", "--visitors", "9",
            "--span", "50", "--duplicates", "0.1", "--malformed=0.2", "-o", "out.jsonl",
        ])
        guard case .generate(let options) = command else { Issue.record("not generate"); return }
        #expect(options.generator.lines == 100 && options.generator.seed == 7 && options.generator.sites == 3)
        #expect(options.generator.operators == 2 && options.generator.visitors == 9 && options.generator.span == 50)
        #expect(options.generator.duplicateRate == 0.1 && options.generator.malformedRate == 0.2)
        #expect(options.outputPath == "out.jsonl")
        #expect(usageError(["generate"])?.contains("--lines") == true)
        #expect(usageError(["generate", "--lines", "5", "--duplicates", "2"])?.contains("rate") == true)
        #expect(usageError(["generate", "--lines", "5", "extra"]) != nil)
    }

    @Test func formatHelpers() {
        #expect(Format.fixed(12.345, 1) == "12.3")
        #expect(Format.fixed(0.05, 2) == "0.05")
        #expect(Format.fixed(3, 0) == "3")
        #expect(Format.duration(65) == "1:05")
        #expect(Format.duration(3723) == "1:02:03")
    }

    /// A file's progress is a share and a time left; a pipe's, which has no
    /// size, the bytes read (it used to read 100.0% throughout).
    @Test func progressText() {
        #expect(Format.progress(done: 420, total: 1000, bytesPerSecond: 100) == "42.0%  0.0 MB/s  ETA 0:06")
        #expect(Format.progress(done: 500_000_000, total: 2_000_000_000, bytesPerSecond: 250e6) == "25.0%  250.0 MB/s  ETA 0:06")
        #expect(Format.progress(done: 1000, total: 1000, bytesPerSecond: 100) == "100.0%  0.0 MB/s")
        #expect(Format.progress(done: 0, total: 0, bytesPerSecond: 0) == "100.0%  0.0 MB/s")
        #expect(Format.progress(done: 1_523_400_000, total: nil, bytesPerSecond: 812.3e6) == "1523.4 MB read  812.3 MB/s")
    }
}
