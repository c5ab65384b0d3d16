/// sitesum's exit statuses, after BSD's sysexits where one fits.
public enum ExitCode: Int32, Sendable {
    /// Done; skipped malformed lines do not change this.
    case success = 0
    /// The command line is wrong (EX_USAGE).
    case usage = 64
    /// A malformed line under `--strict` (EX_DATAERR).
    case malformedInput = 65
    /// The input cannot be opened (EX_NOINPUT).
    case noInput = 66
    /// The system refused the run memory or a thread it needs (EX_OSERR; see `OutOfMemory`).
    case outOfMemory = 71
    /// The cache directory cannot be created or written (EX_CANTCREAT).
    case cannotCreate = 73
    /// Reading the input failed (EX_IOERR).
    case ioError = 74
    /// Stopped by SIGHUP (the terminal went away) after saving a checkpoint (128 + 1).
    case hungUp = 129
    /// Stopped by SIGINT after saving a checkpoint (128 + 2).
    case interrupted = 130
    /// Stopped by SIGTERM after saving a checkpoint (128 + 15).
    case terminated = 143
}

/// A run that ends early: the message for stderr and the exit status.
public struct Failure: Error, Equatable {
    public var exitCode: ExitCode
    public var message: String

    public init(_ exitCode: ExitCode, _ message: String) {
        self.exitCode = exitCode
        self.message = message
    }
}
