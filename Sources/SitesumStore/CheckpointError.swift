/// Why the checkpoint store could not do what was asked.
///
/// The cases map onto what the caller does next: `cannotUseCache` is a setup problem
/// for the user (exit 73, EX_CANTCREAT), `busy` means another run owns this input's
/// entry, `io` is a failure while committing or reading, and `damaged` means a file
/// changed under the store after it was verified.
public enum CheckpointError: Error, Equatable, CustomStringConvertible {
    /// The cache directory or the entry cannot be created or written.
    case cannotUseCache(path: String, reason: String)
    /// Another process holds the entry's lock.
    case busy(path: String)
    /// A system call failed.
    case io(SystemError)
    /// A file failed verification while reading.
    case damaged(path: String, reason: String)

    /// A sentence for the user, naming the path.
    public var description: String {
        switch self {
        case let .cannotUseCache(path, reason):
            return "cannot use cache directory '\(path)': \(reason)"
        case let .busy(path):
            return "checkpoint entry '\(path)' is locked by another sitesum process"
        case let .io(error):
            return error.description
        case let .damaged(path, reason):
            return "damaged checkpoint file '\(path)': \(reason)"
        }
    }
}
