#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The harness's workspace and ledger: where inputs and caches live, how sitesum
/// is run, what has been counted, and every mismatch found.
final class Lab {
    let options: StressOptions
    let binary: String
    let directory: String
    var report = StressReport()
    /// The scenario running now, named in mismatches.
    var scenario = ScenarioTag(name: "setup", seed: 0)
    /// The last sitesum command of the current scenario, for mismatch reports.
    private(set) var lastCommand = ""
    private var runNumber = 0
    private let started = Date()

    init(options: StressOptions, binary: String) throws {
        self.options = options
        self.binary = binary
        let template = (NSTemporaryDirectory() as NSString).appendingPathComponent("sitesum-stress-XXXXXX")
        var bytes = Array(template.utf8CString)
        guard let made = mkdtemp(&bytes) else { throw StressError("cannot create a scratch directory from \(template)") }
        directory = String(cString: made)
    }

    /// Removes the workspace, unless a mismatch happened (its files are evidence) or `--keep` asks to keep it.
    func cleanUp() {
        if report.mismatches.isEmpty && !options.keep {
            try? FileManager.default.removeItem(atPath: directory)
        } else {
            log("files kept in \(directory)")
        }
    }

    func path(_ name: String) -> String {
        directory + "/" + name
    }

    var elapsed: Double { Date().timeIntervalSince(started) }

    /// Progress for the person watching: stderr only.
    func log(_ message: String) {
        FileHandle.standardError.write(Data("stress: \(message)\n".utf8))
    }

    // MARK: Running sitesum

    /// Runs sitesum to the end, or — with `signalAfter` — sends `signal` after that
    /// many seconds unless it ended first.
    func run(_ command: SitesumCommand, input: String? = nil, signalAfter: Double? = nil, signal: Int32 = SIGKILL) throws -> RunResult {
        runNumber += 1
        let stdoutPath = path("run.out")
        let stderrPath = path("run.err")
        lastCommand = command.commandLine(binary: binary)
        let begin = Date()
        let child: ChildProcess
        if let setup = command.shellSetup {
            // Stdout through a pipe: a limit the setup sets on file sizes
            // (`ulimit -f`) would apply to a file there too, and a summary of
            // many sites is longer than the checkpoint files it is meant for.
            child = try ChildProcess.spawn(
                "/bin/sh", ["-c", setup + "; exec \"$0\" \"$@\"", binary] + command.arguments,
                environment: command.environment, stdout: nil, stderr: stderrPath)
        } else {
            child = try ChildProcess.spawn(binary, command.arguments, environment: command.environment,
                                           stdout: stdoutPath, stderr: stderrPath)
        }
        var signalSent: Int32?
        var position: UInt64?
        if let delay = signalAfter, child.wait(upTo: delay) == nil {
            if let input { position = child.readPosition(of: Self.realPath(input)) }
            child.send(signal)
            signalSent = signal
        }
        let termination = child.wait()
        let seconds = Date().timeIntervalSince(begin)
        let stdout = command.shellSetup != nil ? child.capturedStdout()
            : (try? Data(contentsOf: URL(fileURLWithPath: stdoutPath))).map { [UInt8]($0) } ?? []
        let stderr = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        return RunResult(termination: termination, stdout: stdout, stderr: stderr,
                         signalSent: signalSent, readPosition: position, seconds: seconds)
    }

    /// Runs another program (e.g. `chattr`) to the end; whether it exited 0.
    func runTool(_ executable: String, _ arguments: [String]) -> Bool {
        guard access(executable, X_OK) == 0,
              let child = try? ChildProcess.spawn(executable, arguments, environment: [:],
                                                  stdout: path("tool.out"), stderr: path("tool.err"))
        else { return false }
        return child.wait() == .exited(0)
    }

    /// The answer of one uninterrupted run over the bytes now at `input`.
    func reference(for input: String) throws -> [UInt8] {
        let result = try run(SitesumCommand(["--no-checkpoint", "--quiet", input]))
        guard result.succeeded else {
            throw StressError("the reference run over \(input) failed (\(result.termination)): \(result.stderr.suffix(500))")
        }
        return result.stdout
    }

    /// A generated log of `lines` lines at `path`.
    func generate(lines: Int, seed: UInt64, to path: String) throws {
        let result = try run(SitesumCommand(["generate", "--lines", String(lines), "--seed", String(seed), "-o", path]))
        guard result.succeeded else {
            throw StressError("sitesum generate failed (\(result.termination)): \(result.stderr.suffix(500))")
        }
    }

    // MARK: Verdicts

    /// Checks that `result` finished with exit 0 and printed `reference`; records a mismatch otherwise.
    @discardableResult
    func expectAnswer(_ result: RunResult, _ reference: [UInt8], _ what: String) -> Bool {
        if result.succeeded && result.stdout == reference { return true }
        if !result.succeeded {
            mismatch("\(what): ended with \(result.termination), expected exit 0 and the reference; stderr: \(Self.tail(result.stderr))")
        } else {
            mismatch("\(what): the summary differs from the reference (\(Self.firstDifference(result.stdout, reference)))")
        }
        return false
    }

    /// Records a broken promise, with what reproduces it.
    func mismatch(_ message: String) {
        report.mismatches.append(Mismatch(
            scenario: scenario.name, seed: scenario.seed, message: message,
            reproduce: options.reproduceCommand(scenario: scenario.name), lastCommand: lastCommand))
        log("MISMATCH in \(scenario.name): \(message)")
    }

    static func tail(_ text: String) -> String {
        let lines = text.split(separator: "\n").suffix(3).joined(separator: " | ")
        return lines.isEmpty ? "(empty)" : String(lines.suffix(400))
    }

    static func firstDifference(_ actual: [UInt8], _ expected: [UInt8]) -> String {
        let actualLines = String(decoding: actual, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let expectedLines = String(decoding: expected, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        for index in 0..<max(actualLines.count, expectedLines.count) {
            let got = index < actualLines.count ? String(actualLines[index]) : "(nothing)"
            let want = index < expectedLines.count ? String(expectedLines[index]) : "(nothing)"
            if got != want { return "line \(index + 1): got '\(got)', expected '\(want)'" }
        }
        return "same lines"
    }

    // MARK: Files

    static func realPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    func read(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Writes `bytes` to `path` in place: the same inode when the file exists.
    func overwrite(_ path: String, with bytes: [UInt8]) throws {
        guard let handle = FileHandle(forWritingAtPath: path) else {
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            return
        }
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: Data(bytes))
        try handle.close()
    }

    func append(_ bytes: [UInt8], to path: String) throws {
        guard let handle = FileHandle(forWritingAtPath: path) else { throw StressError("cannot open \(path) to append") }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(bytes))
        try handle.close()
    }

    func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Which scenario is running, and the seed that replays it.
struct ScenarioTag {
    var name: String
    var seed: UInt64
}
