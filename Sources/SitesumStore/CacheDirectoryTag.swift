#if canImport(Glibc)
import Glibc
#endif

/// The `CACHEDIR.TAG` file of the Cache Directory Tagging convention, written
/// at the top of every sitesum cache directory. Backup tools that follow the
/// convention skip the directory, and `CheckpointStore.removeCache` uses it to
/// tell a sitesum cache from any other directory before deleting anything.
enum CacheDirectoryTag {
    static let name = "CACHEDIR.TAG"
    /// The convention's fixed first line, then a word on who made it.
    static let contents = Array("""
        Signature: 8a477f597d28d172789f06886806bc55
        # This file is a cache directory tag created by sitesum: it holds checkpoints.
        # Remove them with: sitesum --clear-cache --cache-dir <this directory>

        """.utf8)

    static func write(in directory: String) throws(SystemError) {
        let path = directory + "/" + name
        if try FileSystem.linkStatus(atPath: path) != nil { return }
        let file = try FileDescriptor.open(path, O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644)
        defer { file.close() }
        try file.writeAll(contents)
    }

    static func isPresent(in directory: String) -> Bool {
        let path = directory + "/" + name
        guard let status = try? FileSystem.linkStatus(atPath: path), status.isRegularFile else { return false }
        guard let file = try? FileDescriptor.open(path, O_RDONLY) else { return false }
        defer { file.close() }
        var buffer = [UInt8](repeating: 0, count: 43)
        let count = (try? buffer.withUnsafeMutableBytes { try file.read(into: $0) }) ?? 0
        return count == 43 && buffer == Array(contents.prefix(43))
    }
}
