import Foundation
import SitesumStore
import Testing

@Suite struct FileSystemTests {
    @Test func errorsNameTheOperationThePathAndTheReason() {
        let error = SystemError(operation: "create directory", path: "/x/y", errno: Errno(rawValue: EACCES))
        #expect(error.description == "cannot create directory '/x/y': Permission denied")
        let rename = SystemError(operation: "rename", path: "/a", errno: Errno(rawValue: ENOENT), destination: "/b")
        #expect(rename.description == "cannot rename '/a' to '/b': No such file or directory")
        #expect(Errno.notDirectory.description == "Not a directory")
        #expect(!Errno(rawValue: 99_999).description.isEmpty)
    }

    @Test func openingAMissingFileSaysSo() throws {
        let directory = try TemporaryDirectory()
        let missing = directory.file("missing")
        #expect(throws: SystemError(operation: "open", path: missing, errno: .noSuchFileOrDirectory)) {
            try FileDescriptor.open(missing, O_RDONLY)
        }
    }

    @Test func descriptorReadWriteSeekStatus() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("f")
        let file = try FileDescriptor.open(path, O_RDWR | O_CREAT | O_TRUNC)
        defer { file.close() }
        try file.writeAll(Array("hello world".utf8))
        try file.sync()
        let status = try file.status()
        #expect(status.size == 11)
        #expect(status.isRegularFile)
        #expect(!status.isDirectory)
        #expect(try FileSystem.status(atPath: path) == status)

        var buffer = [UInt8](repeating: 0, count: 5)
        let n = try buffer.withUnsafeMutableBytes { try file.read(into: $0, at: 6) }
        #expect(n == 5)
        #expect(buffer == Array("world".utf8))
        try file.seek(to: 0)
        let m = try buffer.withUnsafeMutableBytes { try file.read(into: $0) }
        #expect(m == 5)
        #expect(buffer == Array("hello".utf8))
        let atEnd = try buffer.withUnsafeMutableBytes { try file.read(into: $0, at: 11) }
        #expect(atEnd == 0)
    }

    @Test func truncateCutsAFileAndNamesAMissingOne() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("f")
        try writeFile(path, Array(repeating: 7, count: 10_000))
        try FileSystem.truncate(path, to: 3)
        #expect(try readFile(path) == [7, 7, 7])
        try FileSystem.truncate(path, to: 0)
        #expect(try FileSystem.status(atPath: path).size == 0)
        let missing = directory.file("missing")
        #expect(throws: SystemError(operation: "truncate", path: missing, errno: .noSuchFileOrDirectory)) {
            try FileSystem.truncate(missing, to: 0)
        }
    }

    @Test func makeDirectoriesCreatesParentsAndAcceptsExisting() throws {
        let directory = try TemporaryDirectory()
        let nested = directory.file("a/b/c")
        try FileSystem.makeDirectories(nested)
        try FileSystem.makeDirectories(nested)
        try FileSystem.makeDirectories(nested + "/")
        #expect(try FileSystem.status(atPath: nested).isDirectory)
    }

    @Test func makeDirectoriesUnderARegularFileFails() throws {
        let directory = try TemporaryDirectory()
        let file = directory.file("file")
        try writeFile(file, [1])
        #expect(throws: SystemError(operation: "create directory", path: file, errno: .notDirectory)) {
            try FileSystem.makeDirectories(file + "/cache/deeper")
        }
        #expect(throws: SystemError(operation: "create directory", path: file, errno: .notDirectory)) {
            try FileSystem.makeDirectories(file)
        }
    }

    @Test func removeTreeRemovesEverythingButFollowsNoSymlink() throws {
        let directory = try TemporaryDirectory()
        let outside = directory.file("outside")
        try FileSystem.makeDirectories(outside)
        try writeFile(outside + "/keep", [1, 2, 3])
        let tree = directory.file("tree")
        try FileSystem.makeDirectories(tree + "/x/y")
        try writeFile(tree + "/x/y/file", [1])
        try writeFile(tree + "/top", [2])
        try FileManager.default.createSymbolicLink(atPath: tree + "/x/link", withDestinationPath: outside)
        try FileSystem.removeTree(tree)
        #expect(try FileSystem.linkStatus(atPath: tree) == nil)
        #expect(try readFile(outside + "/keep") == [1, 2, 3])
        try FileSystem.removeTree(tree)  // missing is fine
        try FileSystem.remove(tree)  // missing is fine
    }

    @Test func contentsAreSortedAndRenameReplaces() throws {
        let directory = try TemporaryDirectory()
        for name in ["b", "a", "C", "a.tmp"] {
            try writeFile(directory.file(name), Array(name.utf8))
        }
        #expect(try FileSystem.contentsOfDirectory(directory.path) == ["C", "a", "a.tmp", "b"])
        try FileSystem.rename(directory.file("a.tmp"), directory.file("a"))
        #expect(try readFile(directory.file("a")) == Array("a.tmp".utf8))
        try FileSystem.syncDirectory(directory.path)
        #expect(throws: SystemError(operation: "rename", path: directory.file("nope"), errno: .noSuchFileOrDirectory,
                                    destination: directory.file("a"))) {
            try FileSystem.rename(directory.file("nope"), directory.file("a"))
        }
    }

    @Test func realPathResolvesLinksAndDots() throws {
        let directory = try TemporaryDirectory()
        let real = try FileSystem.realPath(directory.path)
        try writeFile(real + "/target", [])
        try FileManager.default.createSymbolicLink(atPath: real + "/link", withDestinationPath: real + "/target")
        #expect(try FileSystem.realPath(directory.path + "/./link") == real + "/target")
        #expect(throws: SystemError.self) { try FileSystem.realPath(directory.file("missing")) }
    }
}
