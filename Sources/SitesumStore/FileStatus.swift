#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The parts of `stat(2)` that sitesum needs: identity (device, inode), size and type.
///
/// Device and inode say *which* file a checkpoint belongs to; size says how much of
/// it there is; the type lets the store refuse a directory where a file should be.
public struct FileStatus: Sendable, Equatable {
    /// The device the file lives on (`st_dev`).
    public var device: UInt64
    /// The file's inode number on that device (`st_ino`).
    public var inode: UInt64
    /// The file's size in bytes (`st_size`).
    public var size: UInt64
    /// Whether the file is a regular file (not a directory, FIFO, device, …).
    public var isRegularFile: Bool
    /// Whether the file is a directory.
    public var isDirectory: Bool

    /// Creates a status from its parts.
    public init(device: UInt64, inode: UInt64, size: UInt64, isRegularFile: Bool, isDirectory: Bool = false) {
        self.device = device
        self.inode = inode
        self.size = size
        self.isRegularFile = isRegularFile
        self.isDirectory = isDirectory
    }

    init(_ raw: stat) {
        let type = raw.st_mode & S_IFMT
        self.init(
            device: UInt64(raw.st_dev),
            inode: UInt64(raw.st_ino),
            size: UInt64(max(0, raw.st_size)),
            isRegularFile: type == S_IFREG,
            isDirectory: type == S_IFDIR
        )
    }
}
