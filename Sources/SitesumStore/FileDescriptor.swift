#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open file: a value wrapper over a raw descriptor, plus the path it was opened
/// with so that every error can name the file.
///
/// Copies share the same descriptor and nothing closes it behind the caller's back:
/// whoever opened it calls ``close()`` exactly once (swift-system's convention).
/// Every call retries `EINTR` itself, so a signal (e.g. the progress timer or a
/// SIGTERM handler) never surfaces as a spurious I/O error.
public struct FileDescriptor: Sendable {
    /// The raw descriptor.
    public var rawValue: Int32
    /// The path the descriptor was opened with; used in error messages only.
    public var path: String

    /// Wraps an already open descriptor (e.g. standard input).
    public init(rawValue: Int32, path: String) {
        self.rawValue = rawValue
        self.path = path
    }

    /// Opens `path` with `open(2)` flags (`O_RDONLY`, `O_WRONLY | O_CREAT | O_TRUNC`, …).
    /// `O_CLOEXEC` is always added: no descriptor of ours should leak into a child.
    public static func open(_ path: String, _ flags: Int32, mode: UInt32 = 0o644) throws(SystemError) -> FileDescriptor {
        while true {
            #if canImport(Glibc)
            let fd = Glibc.open(path, flags | O_CLOEXEC, mode_t(mode))
            #else
            let fd = Darwin.open(path, flags | O_CLOEXEC, mode_t(mode))
            #endif
            if fd >= 0 { return FileDescriptor(rawValue: fd, path: path) }
            let error = Errno.current
            if error == .interrupted { continue }
            throw SystemError(operation: "open", path: path, errno: error)
        }
    }

    /// A second descriptor for the same open file (`fcntl(2)`, `F_DUPFD_CLOEXEC`):
    /// it shares the position, so reading either moves both. For standard
    /// input, which the reader then owns and closes without closing fd 0.
    public func duplicated() throws(SystemError) -> FileDescriptor {
        let fd = fcntl(rawValue, F_DUPFD_CLOEXEC, 0)
        guard fd >= 0 else { throw SystemError(operation: "duplicate", path: path, errno: .current) }
        return FileDescriptor(rawValue: fd, path: path)
    }

    /// Waits until a read would not wait (`poll(2)`): data, the end of the
    /// input or an error is there. For a pipe or a terminal, where a read can
    /// wait for ever and a signal does not end it (``read(into:)`` retries
    /// `EINTR`). While nothing comes, `stop` is asked after every signal and
    /// every `interval` milliseconds; when it says true, the wait ends with
    /// `EINTR` (``Errno/interrupted``).
    public func waitUntilReadable(checkingEvery interval: Int32 = 100, stop: () -> Bool) throws(SystemError) {
        var entry = pollfd(fd: rawValue, events: Int16(POLLIN), revents: 0)
        while true {
            let ready = poll(&entry, 1, interval)
            if ready > 0 { return }
            if ready < 0 && Errno.current != .interrupted {
                throw SystemError(operation: "wait for", path: path, errno: .current)
            }
            if stop() { throw SystemError(operation: "read", path: path, errno: .interrupted) }
        }
    }

    /// Closes the descriptor. Errors are ignored: on Linux the descriptor is released
    /// whatever `close(2)` returns, and retrying could close someone else's descriptor.
    /// Durability is never decided here; callers that need it call ``sync()`` first.
    public func close() {
        #if canImport(Glibc)
        _ = Glibc.close(rawValue)
        #else
        _ = Darwin.close(rawValue)
        #endif
    }

    /// Reads up to `buffer.count` bytes at the current position; 0 means end of file.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            #if canImport(Glibc)
            let n = Glibc.read(rawValue, base, buffer.count)
            #else
            let n = Darwin.read(rawValue, base, buffer.count)
            #endif
            if n >= 0 { return n }
            let error = Errno.current
            if error == .interrupted { continue }
            throw SystemError(operation: "read", path: path, errno: error)
        }
    }

    /// Reads up to `buffer.count` bytes at `offset` (`pread(2)`), leaving the file
    /// position alone; 0 means `offset` is at or past the end of the file.
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws(SystemError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        guard offset <= UInt64(Int64.max) else {
            throw SystemError(operation: "read", path: path, errno: .invalidArgument)
        }
        while true {
            let n = pread(rawValue, base, buffer.count, off_t(offset))
            if n >= 0 { return n }
            let error = Errno.current
            if error == .interrupted { continue }
            throw SystemError(operation: "read", path: path, errno: error)
        }
    }

    /// Writes up to `bytes.count` bytes at the current position (one `write(2)`,
    /// retrying `EINTR`); returns how many were written.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(SystemError) -> Int {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return 0 }
        while true {
            #if canImport(Glibc)
            let n = Glibc.write(rawValue, base, bytes.count)
            #else
            let n = Darwin.write(rawValue, base, bytes.count)
            #endif
            if n >= 0 { return n }
            let error = Errno.current
            if error == .interrupted { continue }
            throw SystemError(operation: "write", path: path, errno: error)
        }
    }

    /// Writes every byte of `bytes`, looping over short writes and retrying `EINTR`.
    public func writeAll(_ bytes: UnsafeRawBufferPointer) throws(SystemError) {
        var rest = bytes
        while !rest.isEmpty {
            let written = try write(rest)
            rest = UnsafeRawBufferPointer(rebasing: rest[written...])
        }
    }

    /// Writes every byte of `bytes` (see ``writeAll(_:)-(UnsafeRawBufferPointer)``).
    public func writeAll(_ bytes: [UInt8]) throws(SystemError) {
        var failure: SystemError?
        bytes.withUnsafeBytes { raw in
            do throws(SystemError) { try writeAll(raw) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Flushes the file's data and metadata to stable storage (`fsync(2)`).
    public func sync() throws(SystemError) {
        while fsync(rawValue) != 0 {
            let error = Errno.current
            if error == .interrupted { continue }
            throw SystemError(operation: "sync", path: path, errno: error)
        }
    }

    /// Tells the kernel the file's cached pages are not needed again
    /// (`posix_fadvise(2)`, `POSIX_FADV_DONTNEED`): on Linux this starts writing
    /// dirty pages to the disk without waiting for them, and drops the clean ones,
    /// so a later ``sync()`` has less to wait for and the cache stays small.
    /// A hint: it makes nothing durable, and failures are ignored.
    public func dropCachedPages() {
        _ = posix_fadvise(rawValue, 0, 0, POSIX_FADV_DONTNEED)
    }

    /// Tells the kernel the whole file will be read soon (`posix_fadvise(2)`,
    /// `POSIX_FADV_WILLNEED`): it starts reading the file into the page cache
    /// in the background, so the disk works while the caller computes. A hint:
    /// failures are ignored.
    public func prefetch() {
        _ = posix_fadvise(rawValue, 0, 0, POSIX_FADV_WILLNEED)
    }

    /// Tells the kernel the file will be read at scattered places
    /// (`posix_fadvise(2)`, `POSIX_FADV_RANDOM`): reads through this open file
    /// bring in what they ask for and no read-ahead around it. Linux keeps the
    /// advice per open file, not per file. A hint: failures are ignored.
    public func adviseRandomAccess() {
        _ = posix_fadvise(rawValue, 0, 0, POSIX_FADV_RANDOM)
    }

    /// A second open file for the same file, read-only, with a position and a
    /// read-ahead state of its own (unlike `dup(2)`'s, which shares them):
    /// opened through `/proc/self/fd`, so it is the file this descriptor has
    /// open even if its path now names another. Only for a regular file (a
    /// pipe's would be another reader of the pipe); nil otherwise, where that
    /// is not available, or when what opened is not the same file (device and
    /// inode). The caller closes it.
    public func reopened() -> FileDescriptor? {
        guard let mine = try? status(), mine.isRegularFile,
              let reopened = try? FileDescriptor.open("/proc/self/fd/\(rawValue)", O_RDONLY)
        else { return nil }
        guard let theirs = try? reopened.status(), mine.device == theirs.device, mine.inode == theirs.inode else {
            reopened.close()
            return nil
        }
        return FileDescriptor(rawValue: reopened.rawValue, path: path)
    }

    /// Turns direct I/O (`O_DIRECT`: writes go from the caller's memory to the disk,
    /// not through the page cache) on or off for this open file (`fcntl(2)`,
    /// `F_SETFL`). Returns false when the platform or the file system refuses, or
    /// when this platform's `O_DIRECT` is not known here; the descriptor then stays
    /// as it was. Direct writes need their memory, length and file offset aligned
    /// (``directIOAlignment`` suffices on Linux's usual file systems).
    public func setDirectIO(_ enabled: Bool) -> Bool {
        guard let flag = Self.directFlag else { return false }
        let flags = fcntl(rawValue, F_GETFL)
        guard flags >= 0 else { return false }
        let wanted = enabled ? flags | flag : flags & ~flag
        return wanted == flags || fcntl(rawValue, F_SETFL, wanted) == 0
    }

    /// The alignment of memory, length and offset that direct writes are given.
    public static let directIOAlignment = 4096

    /// `O_DIRECT`, which Swift's Glibc module does not export: its value differs by
    /// architecture (the kernel's `asm/fcntl.h`).
    private static var directFlag: Int32? {
        #if os(Linux) && (arch(x86_64) || arch(i386))
        return 0o40000
        #elseif os(Linux) && (arch(arm64) || arch(arm))
        return 0o200000
        #else
        return nil
        #endif
    }

    /// The file's identity, size and type (`fstat(2)`).
    public func status() throws(SystemError) -> FileStatus {
        var raw = stat()
        guard fstat(rawValue, &raw) == 0 else {
            throw SystemError(operation: "stat", path: path, errno: .current)
        }
        return FileStatus(raw)
    }

    /// Moves the file position to `offset` from the start (`lseek(2)`, `SEEK_SET`).
    public func seek(to offset: UInt64) throws(SystemError) {
        guard offset <= UInt64(Int64.max) else {
            throw SystemError(operation: "seek in", path: path, errno: .invalidArgument)
        }
        guard lseek(rawValue, off_t(offset), SEEK_SET) >= 0 else {
            throw SystemError(operation: "seek in", path: path, errno: .current)
        }
    }

    /// Tries to take an exclusive `flock(2)` lock without waiting. Returns false when
    /// another open file description holds it. The lock lasts until the descriptor is
    /// closed (or the process dies, which is why a stale lock can never linger).
    public func tryLockExclusive() throws(SystemError) -> Bool {
        while flock(rawValue, LOCK_EX | LOCK_NB) != 0 {
            let error = Errno.current
            if error == .interrupted { continue }
            if error == .wouldBlock { return false }
            throw SystemError(operation: "lock", path: path, errno: error)
        }
        return true
    }
}
