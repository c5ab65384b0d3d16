import Foundation
@testable import SitesumStore
import Testing

@Suite struct BlockFileWriterTests {
    /// Appends `pieces` through a writer (direct I/O asked for or not) and returns
    /// the file's bytes and the writer.
    private func write(_ pieces: [[UInt8]], direct: Bool, block: BlockFileWriter.Block = .init())
        throws -> (bytes: [UInt8], writer: BlockFileWriter) {
        let directory = try TemporaryDirectory()
        let path = directory.file("out")
        let file = try FileDescriptor.open(path, O_WRONLY | O_CREAT | O_TRUNC)
        defer { file.close() }
        let writer = BlockFileWriter(file: file, block: block, direct: direct)
        for piece in pieces {
            try piece.withUnsafeBytes { try writer.append($0) }
        }
        try writer.finish()
        return (try readFile(path), writer)
    }

    private func pieces(sizes: [Int], seed: UInt8) -> [[UInt8]] {
        var next = seed
        return sizes.map { size in
            (0..<size).map { _ in
                next = next &* 31 &+ 7
                return next
            }
        }
    }

    @Test(arguments: [false, true])
    func theFileHoldsExactlyWhatWasAppended(direct: Bool) throws {
        let block = BlockFileWriter.blockSize
        let cases: [[Int]] = [
            [], [1], [4095], [4096], [4097], [block - 1], [block], [block + 1],
            [20, 4076, 1, block - 4097, 3 * block + 12_345, 9],
            Array(repeating: 9, count: 1000) + [block / 2, block / 2 + 1, 4096],
        ]
        for (index, sizes) in cases.enumerated() {
            let expected = pieces(sizes: sizes, seed: UInt8(index))
            let (bytes, writer) = try write(expected, direct: direct)
            #expect(bytes == expected.flatMap { $0 }, "sizes \(sizes)")
            #expect(writer.bytesWritten == UInt64(bytes.count), "sizes \(sizes)")
        }
    }

    @Test func oneBlockServesWriterAfterWriter() throws {
        let block = BlockFileWriter.Block()
        for round in 0..<3 {
            let expected = pieces(sizes: [BlockFileWriter.blockSize + round * 1000, 77], seed: UInt8(round))
            #expect(try write(expected, direct: true, block: block).bytes == expected.flatMap { $0 })
        }
    }

    @Test func aPartialLastBlockIsWrittenThroughThePageCache() throws {
        // Where the file system takes direct I/O, the writer leaves it on for
        // whole blocks and turns it off for a tail that is not aligned.
        let aligned = try write(pieces(sizes: [3 * 4096], seed: 1), direct: true).writer
        let ragged = try write(pieces(sizes: [3 * 4096 + 5], seed: 1), direct: true).writer
        if aligned.isDirect {
            #expect(!ragged.isDirect)
        }
        #expect(try !write(pieces(sizes: [100], seed: 2), direct: false).writer.isDirect)
    }
}
