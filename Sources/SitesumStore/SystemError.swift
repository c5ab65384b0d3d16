/// A failed system call: what was attempted, on which path, and why.
///
/// Errors from the system are useless without the path and the operation, so every
/// wrapper in this module attaches both. The description reads as a sentence a user
/// can act on: `cannot create directory '/x/y': Permission denied`.
public struct SystemError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What was attempted, as a verb phrase: "open", "read", "create directory", …
    public var operation: String
    /// The file or directory the operation was applied to.
    public var path: String
    /// Why it failed.
    public var errno: Errno
    /// The second path of a two-path operation (the target of a rename), if any.
    public var destination: String?

    /// Describes a failure of `operation` on `path`.
    public init(operation: String, path: String, errno: Errno, destination: String? = nil) {
        self.operation = operation
        self.path = path
        self.errno = errno
        self.destination = destination
    }

    /// `cannot <operation> '<path>'[ to '<destination>']: <strerror text>`.
    public var description: String {
        if let destination {
            return "cannot \(operation) '\(path)' to '\(destination)': \(errno)"
        }
        return "cannot \(operation) '\(path)': \(errno)"
    }
}
