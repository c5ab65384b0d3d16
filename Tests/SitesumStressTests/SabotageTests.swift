import Foundation
import Testing

/// The harness must be able to fail: against a sitesum with a deliberate resume
/// bug (`SITESUM_SABOTAGE=skip-line-after-resume`) it reports mismatches and
/// exits 1; against the same sitesum without it, it passes.
@Suite(.serialized) struct SabotageTests {
    static let directory: URL = {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: executable).deletingLastPathComponent()
    }()

    /// Runs the built harness on one crash-point scenario: die after the first
    /// checkpoint, then resume.
    func stress(sabotage: Bool) throws -> (status: Int32, stdout: String) {
        let process = Process()
        process.executableURL = Self.directory.appendingPathComponent("sitesum-stress")
        process.arguments = [
            "--seed", "5", "--lines", "3000", "--only", "crashpoint:checkpoint-done:1",
            "--binary", Self.directory.appendingPathComponent("sitesum").path,
        ]
        var environment = ProcessInfo.processInfo.environment
        environment["SITESUM_SABOTAGE"] = sabotage ? "skip-line-after-resume" : nil
        process.environment = environment
        let output = Pipe()
        let progress = Pipe()
        process.standardOutput = output
        process.standardError = progress
        try process.run()
        // stderr is small (one line per scenario), so reading stdout first cannot stall the harness.
        let stdout = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: progress.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        // A mismatch keeps the harness's scratch files as evidence; this one is expected.
        for line in stderr.split(separator: "\n") where line.hasPrefix("stress: files kept in ") {
            try? FileManager.default.removeItem(atPath: String(line.dropFirst("stress: files kept in ".count)))
        }
        return (process.terminationStatus, stdout)
    }

    @Test func aResumeBugIsReportedAsAMismatch() throws {
        let (status, stdout) = try stress(sabotage: true)
        #expect(status == 1)
        let last = stdout.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.hasPrefix("stress: kills=0 crashpoints=1 "))
        #expect(last.contains(" mismatches=1 "))
        #expect(stdout.contains("MISMATCH scenario=crashpoint:checkpoint-done:1 seed=5: the run after dying at checkpoint-done:1: the summary differs"))
        #expect(stdout.contains("reproduce: swift run -c release sitesum-stress --seed 5 --kills 240 --lines 3000"))
    }

    @Test func withoutTheBugTheSameScenarioPasses() throws {
        let (status, stdout) = try stress(sabotage: false)
        #expect(status == 0)
        #expect(stdout.split(separator: "\n").last?.contains(" mismatches=0 ") == true)
    }
}
