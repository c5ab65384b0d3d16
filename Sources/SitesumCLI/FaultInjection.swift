#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SitesumStore

/// Test-only failures a run can be told to have, through the environment. The
/// stress harness (`stress/`) uses them to prove that no crash, torn write or full
/// disk changes the answer; users never set them.
///
/// - `SITESUM_CRASHPOINT=<point>[:<n>]`: the n-th time (default 1) the run reaches
///   `<point>` (see ``CrashPoint``), it kills itself with SIGKILL, as a power cut or
///   `kill -9` would; a torn point first cuts the file being written to half.
/// - `SITESUM_FAULT=<ERRNO>@<point>[:<n>]`: from the n-th time on, every time the
///   run reaches `<point>` the I/O step there fails with `<ERRNO>` (`ENOSPC`, `EIO`,
///   `EDQUOT`, `EFBIG`, `EROFS` or `EACCES`), as a disk that stays full would; a torn
///   point leaves half the file written before failing.
/// - `SITESUM_SABOTAGE=skip-line-after-resume`: a deliberate bug, so that a test can
///   show the stress harness catches one: a resumed run skips the first message
///   after its checkpoint.
public final class FaultInjection {
    /// Die at the `occurrence`-th time `point` is reached.
    struct Crash: Equatable {
        var point: CrashPoint
        var occurrence: Int
    }

    /// Fail with `errno` every time `point` is reached, from the `occurrence`-th on.
    struct Fault: Equatable {
        var errno: Errno
        var point: CrashPoint
        var occurrence: Int
    }

    /// Deliberate bugs for proving that the harness can fail.
    enum Sabotage: String, CaseIterable {
        case skipLineAfterResume = "skip-line-after-resume"
    }

    static let crashVariable = "SITESUM_CRASHPOINT"
    static let faultVariable = "SITESUM_FAULT"
    static let sabotageVariable = "SITESUM_SABOTAGE"

    static let errnoNames: [(name: String, value: Int32)] = [
        ("ENOSPC", ENOSPC), ("EIO", EIO), ("EDQUOT", EDQUOT), ("EFBIG", EFBIG), ("EROFS", EROFS), ("EACCES", EACCES),
    ]

    let crash: Crash?
    let fault: Fault?
    let sabotage: Sabotage?
    private var reachedCount: [CrashPoint: Int] = [:]

    /// No injected failures: what every ordinary run has.
    static var none: FaultInjection { FaultInjection(crash: nil, fault: nil, sabotage: nil) }

    init(crash: Crash?, fault: Fault?, sabotage: Sabotage?) {
        self.crash = crash
        self.fault = fault
        self.sabotage = sabotage
    }

    /// Reads the three variables through `lookup`; a value that does not parse is a
    /// usage error naming the variable, so a typo never silently tests nothing.
    convenience init(lookup: (String) -> String?) throws(Failure) {
        let crash = try lookup(Self.crashVariable).map { text throws(Failure) in
            let (point, occurrence) = try Self.parsePoint(text, variable: Self.crashVariable)
            return Crash(point: point, occurrence: occurrence)
        }
        let fault = try lookup(Self.faultVariable).map { text throws(Failure) in
            let parts = text.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
            let names = Self.errnoNames.map(\.name).joined(separator: ", ")
            guard parts.count == 2, let value = Self.errnoNames.first(where: { $0.name == parts[0] })?.value else {
                throw Failure(.usage, "\(Self.faultVariable) must be <ERRNO>@<point>[:<n>] with ERRNO one of \(names), not '\(text)'")
            }
            let (point, occurrence) = try Self.parsePoint(String(parts[1]), variable: Self.faultVariable)
            guard point.canFail else {
                throw Failure(.usage, "\(Self.faultVariable): nothing can fail at \(point.rawValue), the checkpoint is already complete")
            }
            return Fault(errno: Errno(rawValue: value), point: point, occurrence: occurrence)
        }
        let sabotage = try lookup(Self.sabotageVariable).map { text throws(Failure) in
            guard let sabotage = Sabotage(rawValue: text) else {
                let known = Sabotage.allCases.map(\.rawValue).joined(separator: ", ")
                throw Failure(.usage, "\(Self.sabotageVariable) must be one of \(known), not '\(text)'")
            }
            return sabotage
        }
        self.init(crash: crash, fault: fault, sabotage: sabotage)
    }

    /// `<point>[:<n>]` with n ≥ 1.
    private static func parsePoint(_ text: String, variable: String) throws(Failure) -> (CrashPoint, Int) {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard let point = CrashPoint(rawValue: String(parts[0])) else {
            throw Failure(.usage, "\(variable): unknown point '\(parts[0])' (sitesum --list-crashpoints lists them)")
        }
        guard parts.count == 2 else { return (point, 1) }
        guard let occurrence = Int(parts[1]), occurrence >= 1 else {
            throw Failure(.usage, "\(variable): the occurrence after ':' must be a whole number from 1, not '\(parts[1])'")
        }
        return (point, occurrence)
    }

    /// Whether any failure is planned: a run tells the user, since results of such a run prove nothing about their data.
    var isActive: Bool {
        crash != nil || fault != nil || sabotage != nil
    }

    /// Counts one arrival at each point of a commit step and acts on it.
    func reach(_ step: CommitStep, path: String) throws(SystemError) {
        for point in CrashPoint.reached(at: step) {
            try reach(point, path: path)
        }
    }

    /// Counts one arrival at `point`, whose I/O is on `path`, and dies or fails there if told to.
    func reach(_ point: CrashPoint, path: String) throws(SystemError) {
        guard crash?.point == point || fault?.point == point else { return }
        let count = reachedCount[point, default: 0] + 1
        reachedCount[point] = count
        if let crash, crash.point == point, crash.occurrence == count {
            if point.tears { Self.tear(path) }
            Self.die("crash point \(point.rawValue):\(count) reached (\(Self.crashVariable)); killing myself with SIGKILL")
        }
        if let fault, fault.point == point, count >= fault.occurrence {
            if point.tears { Self.tear(path) }
            throw SystemError(operation: point.operation, path: path, errno: fault.errno)
        }
    }

    /// Cuts the file at `path` to half its length, as a write stopped part way would.
    private static func tear(_ path: String) {
        var status = stat()
        guard stat(path, &status) == 0 else { return }
        _ = truncate(path, status.st_size / 2)
    }

    private static func die(_ message: String) -> Never {
        Console(quiet: false).write("sitesum: \(message)\n")
        kill(getpid(), SIGKILL)
        // SIGKILL cannot be caught; this only runs if the kernel refused the signal.
        _exit(137)
    }
}
