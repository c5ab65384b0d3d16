#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// How a child process ended.
public enum Termination: Equatable, Sendable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    /// Decodes a `waitpid` status (the WIFEXITED/WTERMSIG macros are not imported into Swift).
    init(waitStatus status: Int32) {
        if status & 0x7f == 0 {
            self = .exited((status >> 8) & 0xff)
        } else {
            self = .signaled(status & 0x7f)
        }
    }

    public var description: String {
        switch self {
        case .exited(let code): "exit \(code)"
        case .signaled(let signal): "killed by signal \(signal)"
        }
    }
}

/// A process the harness started with `posix_spawn`, its stdout and stderr in files.
///
/// Spawned directly rather than through Foundation's `Process`, so the harness
/// controls exactly what the child inherits: an empty signal mask and default
/// signal actions (a harness started with SIGINT blocked must not pass that on,
/// or its SIGINT tests would test nothing), and only the three standard streams.
final class ChildProcess {
    let pid: pid_t
    private(set) var termination: Termination?
    /// What the child writes to stdout when it goes to a pipe (`stdout` nil).
    private let captured: PipeCapture?

    private init(pid: pid_t, captured: PipeCapture?) {
        self.pid = pid
        self.captured = captured
    }

    /// Starts `executable` with `arguments`, the harness's environment plus
    /// `environment`, stdin from /dev/null, stdout and stderr to the given
    /// files; stdout to a pipe the harness reads when `stdout` is nil (see
    /// `capturedStdout`).
    static func spawn(
        _ executable: String, _ arguments: [String], environment: [String: String],
        stdout: String?, stderr: String
    ) throws -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        var pipeEnds: [Int32] = [-1, -1]
        if let stdout {
            posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        } else {
            // Both ends close on exec (the child gets its own copy as fd 1), so
            // that no other child holds the pipe open past this one's end.
            guard pipe(&pipeEnds) == 0 else {
                throw StressError("cannot make a pipe: \(String(cString: strerror(errno)))")
            }
            for end in pipeEnds { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
            posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
        }
        defer { if pipeEnds[1] >= 0 { close(pipeEnds[1]) } }
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var defaultSignals = sigset_t()
        sigemptyset(&defaultSignals)
        for signal in [SIGINT, SIGTERM, SIGPIPE, SIGXFSZ, SIGHUP] { sigaddset(&defaultSignals, signal) }
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var merged = ProcessInfo.processInfo.environment
        for (name, value) in environment { merged[name] = value }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else {
            if pipeEnds[0] >= 0 { close(pipeEnds[0]) }
            throw StressError("cannot start \(executable): \(String(cString: strerror(result)))")
        }
        return ChildProcess(pid: pid, captured: pipeEnds[0] >= 0 ? PipeCapture(reading: pipeEnds[0]) : nil)
    }

    /// All the child wrote to stdout, once it has ended, when it went to a
    /// pipe: read to its end (every writer closed it), so nothing written
    /// before the child ended is missed.
    func capturedStdout() -> [UInt8] {
        captured?.bytes() ?? []
    }

    /// Sends `signal` unless the child has already been reaped.
    func send(_ signal: Int32) {
        guard termination == nil else { return }
        kill(pid, signal)
    }

    /// Waits for the child to end.
    @discardableResult
    func wait() -> Termination {
        if let termination { return termination }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let ended = Termination(waitStatus: status)
        termination = ended
        return ended
    }

    /// The child's termination if it has ended, without waiting.
    func poll() -> Termination? {
        if let termination { return termination }
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
        let ended = Termination(waitStatus: status)
        termination = ended
        return ended
    }

    /// Waits up to `seconds` for the child to end on its own; its termination, or nil if it is still running.
    func wait(upTo seconds: Double) -> Termination? {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            if let ended = poll() { return ended }
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { return nil }
            usleep(UInt32(min(left, 0.002) * 1_000_000))
        }
    }

    /// The file position of the child's descriptor open on `path` (from
    /// /proc/PID/fdinfo): how far it has read an input it reads sequentially.
    func readPosition(of path: String) -> UInt64? {
        let directory = "/proc/\(pid)/fd"
        guard let descriptors = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return nil }
        for descriptor in descriptors {
            guard (try? FileManager.default.destinationOfSymbolicLink(atPath: "\(directory)/\(descriptor)")) == path,
                  let info = try? String(contentsOfFile: "/proc/\(pid)/fdinfo/\(descriptor)", encoding: .utf8)
            else { continue }
            for line in info.split(separator: "\n") where line.hasPrefix("pos:") {
                return UInt64(line.dropFirst(4).trimmingCharacters(in: .whitespaces))
            }
        }
        return nil
    }
}

/// Reads a pipe to its end on a thread of its own, as the child writes: a
/// child whose stdout is a pipe nobody reads stops once the pipe is full.
private final class PipeCapture: @unchecked Sendable {
    // @unchecked: `data` is written by the reading thread only until it
    // signals `finished`, and read only after waiting for that.
    private var data: [UInt8] = []
    private let finished = DispatchSemaphore(value: 0)

    init(reading descriptor: Int32) {
        Thread.detachNewThread { [self] in
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                data.append(contentsOf: buffer[..<count])
            }
            close(descriptor)
            finished.signal()
        }
    }

    /// Everything read, once the pipe has ended.
    func bytes() -> [UInt8] {
        finished.wait()
        finished.signal()
        return data
    }
}

/// A failure of the harness itself (not of sitesum): it cannot go on.
public struct StressError: Error, CustomStringConvertible {
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}
