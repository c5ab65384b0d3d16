#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Path-level system calls: directories, renames, removal.
///
/// Thin wrappers that retry `EINTR`, treat "already there" / "already gone" as the
/// success the caller wanted, and throw a ``SystemError`` naming the path otherwise.
public enum FileSystem {
    /// Creates `path` and any missing parents with mode 0755 (`mkdir -p`). An existing
    /// directory (or a symlink to one) is fine; an existing non-directory is `ENOTDIR`.
    public static func makeDirectories(_ path: String) throws(SystemError) {
        if path.isEmpty { return }
        if mkdir(path, 0o755) == 0 { return }
        let error = Errno.current
        switch error {
        case .fileExists:
            if let status = try? status(atPath: path), status.isDirectory { return }
            throw SystemError(operation: "create directory", path: path, errno: .notDirectory)
        case .noSuchFileOrDirectory, .notDirectory:
            // Create (or find the culprit among) the parents, so an error names the
            // component that is missing or not a directory.
            let parent = parentDirectory(of: path)
            guard parent != path, !parent.isEmpty else {
                throw SystemError(operation: "create directory", path: path, errno: error)
            }
            try makeDirectories(parent)
            if mkdir(path, 0o755) == 0 { return }
            let retry = Errno.current
            if retry == .fileExists, let status = try? status(atPath: path), status.isDirectory { return }
            throw SystemError(operation: "create directory", path: path, errno: retry)
        case .interrupted:
            try makeDirectories(path)
        default:
            throw SystemError(operation: "create directory", path: path, errno: error)
        }
    }

    /// Makes the directory's entries (creations, renames, removals) durable: open it
    /// with `O_DIRECTORY | O_RDONLY`, `fsync`, close. A rename is not durable until
    /// its directory is synced (see SQLite's `unixSync` and the OSDI'14 study).
    public static func syncDirectory(_ path: String) throws(SystemError) {
        let directory = try FileDescriptor.open(path, O_RDONLY | O_DIRECTORY)
        defer { directory.close() }
        try directory.sync()
    }

    /// Atomically replaces `to` with `from` (`rename(2)`); both in one file system.
    public static func rename(_ from: String, _ to: String) throws(SystemError) {
        #if canImport(Glibc)
        let result = Glibc.rename(from, to)
        #else
        let result = Darwin.rename(from, to)
        #endif
        guard result == 0 else {
            throw SystemError(operation: "rename", path: from, errno: .current, destination: to)
        }
    }

    /// Cuts the file at `path` to `length` bytes (`truncate(2)`), freeing its blocks past that.
    public static func truncate(_ path: String, to length: UInt64) throws(SystemError) {
        guard length <= UInt64(Int64.max) else {
            throw SystemError(operation: "truncate", path: path, errno: .invalidArgument)
        }
        while true {
            #if canImport(Glibc)
            let result = Glibc.truncate(path, off_t(length))
            #else
            let result = Darwin.truncate(path, off_t(length))
            #endif
            if result == 0 { return }
            let error = Errno.current
            if error == .interrupted { continue }
            throw SystemError(operation: "truncate", path: path, errno: error)
        }
    }

    /// Removes a file or symlink (`unlink(2)`); a missing file is fine.
    public static func remove(_ path: String) throws(SystemError) {
        guard unlink(path) == 0 else {
            let error = Errno.current
            if error == .noSuchFileOrDirectory { return }
            throw SystemError(operation: "remove", path: path, errno: error)
        }
    }

    /// Removes `path` and everything below it (`rm -rf`); a missing path is fine.
    /// Symlinks are removed, never followed, so a link inside the tree cannot make
    /// this delete anything outside it.
    public static func removeTree(_ path: String) throws(SystemError) {
        guard let status = try linkStatus(atPath: path) else { return }
        if status.isDirectory {
            for name in try contentsOfDirectory(path) {
                try removeTree(path + "/" + name)
            }
            guard rmdir(path) == 0 else {
                let error = Errno.current
                if error == .noSuchFileOrDirectory { return }
                throw SystemError(operation: "remove directory", path: path, errno: error)
            }
        } else {
            try remove(path)
        }
    }

    /// The names in a directory, without "." and "..", sorted bytewise so that every
    /// caller sees one deterministic order.
    public static func contentsOfDirectory(_ path: String) throws(SystemError) -> [String] {
        try unorderedContentsOfDirectory(path).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// The names in a directory, without "." and "..", in the order the file
    /// system gives them: for a caller that looks at every name alike. A
    /// checkpoint entry holds hundreds of files and a commit looks at them
    /// all; sorting the names cost more than listing them.
    public static func unorderedContentsOfDirectory(_ path: String) throws(SystemError) -> [String] {
        guard let directory = opendir(path) else {
            throw SystemError(operation: "list directory", path: path, errno: .current)
        }
        defer { closedir(directory) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(directory) else {
                let error = Errno.current
                if error.rawValue != 0 {
                    throw SystemError(operation: "list directory", path: path, errno: error)
                }
                break
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// The absolute path with every symlink, "." and ".." resolved (`realpath(3)`).
    public static func realPath(_ path: String) throws(SystemError) -> String {
        guard let resolved = realpath(path, nil) else {
            throw SystemError(operation: "resolve path", path: path, errno: .current)
        }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// `stat(2)`, following symlinks.
    public static func status(atPath path: String) throws(SystemError) -> FileStatus {
        var raw = stat()
        guard stat(path, &raw) == 0 else {
            throw SystemError(operation: "stat", path: path, errno: .current)
        }
        return FileStatus(raw)
    }

    /// `lstat(2)`: the status of the path itself (a symlink is not followed);
    /// nil when nothing is there.
    public static func linkStatus(atPath path: String) throws(SystemError) -> FileStatus? {
        var raw = stat()
        guard lstat(path, &raw) == 0 else {
            let error = Errno.current
            if error == .noSuchFileOrDirectory { return nil }
            throw SystemError(operation: "stat", path: path, errno: error)
        }
        return FileStatus(raw)
    }

    /// The directory part of `path` ("/a/b" → "/a", "b" → ".", "/a" → "/").
    static func parentDirectory(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        var parent = trimmed[..<slash]
        while parent.count > 1, parent.hasSuffix("/") { parent = parent.dropLast() }
        return parent.isEmpty ? "/" : String(parent)
    }

    /// The last component of `path` ("/a/b.log" → "b.log").
    static func baseName(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return String(trimmed) }
        return String(trimmed[trimmed.index(after: slash)...])
    }
}
