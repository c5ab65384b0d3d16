import Foundation
import SitesumGenerator
import Testing

/// Spawns the built `sitesum` binary as a user would, with its output in
/// files (no pipe can fill up and stall it).
struct BinaryHarness {
    struct Result {
        var status: Int32
        /// Whether the process exited (`status` its exit status) or a
        /// signal ended it (`status` the signal's number).
        var reason: Process.TerminationReason
        var stdout: String
        var stderr: String
        /// The statistics line's fields (`--stats`), by name.
        var stats: [String: String] {
            guard let line = stderr.split(separator: "\n").last(where: { $0.hasPrefix("sitesum: stats ") }) else { return [:] }
            var fields: [String: String] = [:]
            for field in line.dropFirst("sitesum: stats ".count).split(separator: " ") {
                let parts = field.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
            }
            return fields
        }
    }

    /// A scratch directory, removed when the test is done with it.
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("sitesum-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func cleanUp() {
        try? FileManager.default.removeItem(at: directory)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// The binary: `SITESUM_BINARY` if set, else the one built beside the test bundle.
    static let binary: String = {
        if let path = ProcessInfo.processInfo.environment["SITESUM_BINARY"] { return path }
        let bundle = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0])
        return bundle.deletingLastPathComponent().appendingPathComponent("sitesum").path
    }()

    /// Whether `env` can put a signal's action back to the default
    /// (`--default-signal`, coreutils 8.31), which a child of a process
    /// that ignores the signal otherwise cannot have.
    static let envResetsSignals: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["--default-signal=PIPE", "true"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationReason == .exit && process.terminationStatus == 0
    }()

    func write(_ bytes: [UInt8], to name: String) throws {
        try Data(bytes).write(to: directory.appendingPathComponent(name))
    }

    func append(_ bytes: [UInt8], to name: String) throws {
        let handle = try FileHandle(forWritingTo: directory.appendingPathComponent(name))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(bytes))
        try handle.close()
    }

    /// Cuts or extends (with a hole of zeros) the file `name` to `length`
    /// bytes, in place: the same inode.
    func resize(_ name: String, to length: UInt64) throws {
        let handle = try FileHandle(forWritingTo: directory.appendingPathComponent(name))
        try handle.truncate(atOffset: length)
        try handle.close()
    }

    func generate(lines: Int, seed: UInt64, configure: (inout GeneratorOptions) -> Void = { _ in }) -> [UInt8] {
        var options = GeneratorOptions(lines: lines, seed: seed, sites: 7, operators: 3, visitors: 50,
                                       span: 5_000, duplicateRate: 0.05, malformedRate: 0.01)
        configure(&options)
        return LogGenerator(options: options).bytes()
    }

    /// Writes a log of `generate`'s to `name`.
    func writeLog(lines: Int, seed: UInt64, to name: String = "log.jsonl",
                  configure: (inout GeneratorOptions) -> Void = { _ in }) throws {
        try write(generate(lines: lines, seed: seed, configure: configure), to: name)
    }

    /// The files of the one entry the cache `cache` holds (an entry is a
    /// folder for one input), by name.
    func entryFiles(cache: String = ".sitesum-cache") throws -> [String] {
        let entry = try #require(try FileManager.default.contentsOfDirectory(atPath: path(cache))
            .first { $0 != "CACHEDIR.TAG" })
        return try FileManager.default.contentsOfDirectory(atPath: path("\(cache)/\(entry)"))
    }

    /// Starts sitesum in this directory; the caller waits or signals. With
    /// `shellSetup`, bash runs those commands first and then execs sitesum,
    /// so limits and signal dispositions it sets are sitesum's. With
    /// `executable`, that program runs with `arguments` instead (one that
    /// runs sitesum in turn).
    func start(_ arguments: [String], shellSetup: String? = nil, executable: String? = nil,
               environment: [String: String] = [:]) throws -> (Process, stdout: URL, stderr: URL) {
        let process = Process()
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        if let executable {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        } else if let shellSetup {
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = ["-c", shellSetup + "; exec \"$0\" \"$@\"", Self.binary] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: Self.binary)
            process.arguments = arguments
        }
        process.currentDirectoryURL = directory
        let id = UUID().uuidString
        let stdout = directory.appendingPathComponent("stdout-\(id)")
        let stderr = directory.appendingPathComponent("stderr-\(id)")
        _ = FileManager.default.createFile(atPath: stdout.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderr.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: stdout)
        process.standardError = try FileHandle(forWritingTo: stderr)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return (process, stdout, stderr)
    }

    func finish(_ started: (Process, stdout: URL, stderr: URL)) throws -> Result {
        started.0.waitUntilExit()
        let result = Result(
            status: started.0.terminationStatus,
            reason: started.0.terminationReason,
            stdout: try String(contentsOf: started.stdout, encoding: .utf8),
            stderr: try String(contentsOf: started.stderr, encoding: .utf8))
        try? FileManager.default.removeItem(at: started.stdout)
        try? FileManager.default.removeItem(at: started.stderr)
        return result
    }

    @discardableResult
    func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        try finish(start(arguments, environment: environment))
    }

    /// The answer of one uninterrupted run without checkpoints.
    func reference(_ input: String) throws -> String {
        let result = try run(["--no-checkpoint", "-q", input])
        #expect(result.status == 0, "reference run failed: \(result.stderr)")
        return result.stdout
    }

    /// Manifests currently in the cache, across all entries.
    func manifestCount(cache: String = ".sitesum-cache") -> Int {
        let root = directory.appendingPathComponent(cache)
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: root.path) else { return 0 }
        return entries.reduce(0) { count, entry in
            let files = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(entry).path)) ?? []
            return count + files.filter { $0.hasPrefix("MANIFEST-") && !$0.hasSuffix(".tmp") }.count
        }
    }

    /// Newest manifest's path, if any.
    func newestManifest(cache: String = ".sitesum-cache") -> String? {
        let root = directory.appendingPathComponent(cache)
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: root.path) else { return nil }
        var newest: String?
        for entry in entries {
            let folder = root.appendingPathComponent(entry)
            let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            for file in files where file.hasPrefix("MANIFEST-") && !file.hasSuffix(".tmp") {
                let candidate = folder.appendingPathComponent(file).path
                if newest == nil || candidate > newest! { newest = candidate }
            }
        }
        return newest
    }

    /// Waits until the cache holds at least `count` manifest generations
    /// written since the call (by name), or the process ends.
    func waitForCheckpoint(after previous: String?, process: Process, timeout: Double = 60) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline && process.isRunning {
            if let newest = newestManifest(), newest != previous { return true }
            usleep(2_000)
        }
        return false
    }
}
