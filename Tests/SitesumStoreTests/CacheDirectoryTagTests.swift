import Foundation
import SitesumStore
import Testing

@Suite struct CacheDirectoryTagTests {
    @Test func aCacheIsTaggedAndCanBeRemoved() throws {
        let fixture = try StoreFixture()
        let store = try fixture.open()
        store.close()
        let tag = try String(contentsOfFile: fixture.cache + "/CACHEDIR.TAG", encoding: .utf8)
        #expect(tag.hasPrefix("Signature: 8a477f597d28d172789f06886806bc55"))
        try CheckpointStore.removeCache(at: fixture.cache)
        #expect(!FileManager.default.fileExists(atPath: fixture.cache))
        // Missing is fine, and so is an empty directory.
        try CheckpointStore.removeCache(at: fixture.cache)
        try FileManager.default.createDirectory(atPath: fixture.cache, withIntermediateDirectories: true)
        try CheckpointStore.removeCache(at: fixture.cache)
        #expect(!FileManager.default.fileExists(atPath: fixture.cache))
    }

    @Test func aDirectoryThatIsNotACacheIsLeftAlone() throws {
        let directory = try TemporaryDirectory()
        let precious = directory.file("home")
        try FileManager.default.createDirectory(atPath: precious, withIntermediateDirectories: true)
        try writeFile(precious + "/thesis.tex", Array("do not delete".utf8))
        #expect(throws: CheckpointError.self) { try CheckpointStore.removeCache(at: precious) }
        #expect(FileManager.default.fileExists(atPath: precious + "/thesis.tex"))
        // A forged tag without the signature does not count either.
        try writeFile(precious + "/CACHEDIR.TAG", Array("hello".utf8))
        #expect(throws: CheckpointError.self) { try CheckpointStore.removeCache(at: precious) }
        #expect(FileManager.default.fileExists(atPath: precious + "/thesis.tex"))
    }
}
