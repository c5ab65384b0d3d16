#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A POSIX error number, as set by a failing system call.
///
/// A typed value rather than a bare `Int32` so that errors carry their meaning
/// through `throws` and print as the system's own text (`strerror`), which is what
/// a user needs to see ("Permission denied", not "13").
public struct Errno: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The raw `errno` value.
    public var rawValue: Int32

    /// Wraps a raw `errno` value.
    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// The value of `errno` right now; read it immediately after the failing call.
    public static var current: Errno {
        Errno(rawValue: errno)
    }

    /// The system's text for this error, e.g. "No such file or directory".
    public var description: String {
        // strerror_r (the XSI one, as Swift imports it) writes into our buffer, so no
        // buffer is shared between threads as strerror's may be.
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 256) { buffer in
            guard let base = buffer.baseAddress, strerror_r(rawValue, base, buffer.count) == 0 else {
                return "error \(rawValue)"
            }
            return String(cString: base)
        }
    }

    /// EINTR: the call was interrupted by a signal and should be retried.
    public static let interrupted = Errno(rawValue: EINTR)
    /// ENOENT: no such file or directory.
    public static let noSuchFileOrDirectory = Errno(rawValue: ENOENT)
    /// EEXIST: the file exists.
    public static let fileExists = Errno(rawValue: EEXIST)
    /// ENOTDIR: a path component is not a directory.
    public static let notDirectory = Errno(rawValue: ENOTDIR)
    /// EISDIR: the path is a directory.
    public static let isDirectory = Errno(rawValue: EISDIR)
    /// EWOULDBLOCK: the operation would block (e.g. a lock held elsewhere).
    public static let wouldBlock = Errno(rawValue: EWOULDBLOCK)
    /// EACCES: permission denied.
    public static let permissionDenied = Errno(rawValue: EACCES)
    /// EFBIG: the data is too large.
    public static let fileTooLarge = Errno(rawValue: EFBIG)
    /// EINVAL: an invalid argument.
    public static let invalidArgument = Errno(rawValue: EINVAL)
}
