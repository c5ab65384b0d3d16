import Foundation
import SitesumCore
import SitesumGenerator
import SitesumStore
import Testing
@testable import SitesumCLI

/// The two-thread reading path against reading one line at a time.
@Suite struct DecodingPipelineTests {
    /// A file holding `bytes`, opened for reading; removed by the returned closure.
    func openFile(_ bytes: [UInt8]) throws -> (FileDescriptor, () -> Void) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sitesum-pipeline-\(UUID().uuidString)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let file = try FileDescriptor.open(path, O_RDONLY)
        return (file, { file.close(); try? FileManager.default.removeItem(atPath: path) })
    }

    /// Every batch of the pipeline, in order.
    func batches(of bytes: [UInt8], blockSize: Int, maxLineLength: Int = 1 << 20,
                 _ body: (DecodedBatch) -> Void) throws {
        let (file, remove) = try openFile(bytes)
        defer { remove() }
        let reader = try LineReader(file: file, startingAt: 0, maxLineLength: maxLineLength, blockSize: blockSize)
        let pipeline = DecodingPipeline(reader: reader, maxLineLength: maxLineLength, batchBytes: blockSize)
        defer { pipeline.stop() }
        while let batch = try pipeline.next() {
            body(batch)
            pipeline.recycle(batch)
        }
    }

    /// State, summary, tally and checkpoint records are those of the
    /// one-line-at-a-time path (`InMemoryRun`), whatever the batch size.
    @Test(arguments: 0..<24)
    func pipelineEqualsSequentialIngest(_ n: Int) throws {
        var options = GeneratorOptions(lines: 1 + (n * 977) % 4000)
        options.seed = 500 + UInt64(n)
        options.sites = 1 + n % 9
        options.operators = 1 + n % 3
        options.visitors = 5 + n % 20
        options.span = Int64(5 + n % 40)
        options.duplicateRate = Double(n % 5) / 10
        options.malformedRate = Double(n % 4) / 20
        var input = LogGenerator(options: options).bytes()
        if n % 3 == 0 { input.removeLast() }  // an unterminated last line
        if n % 4 == 1 { input = [0xEF, 0xBB, 0xBF] + input }  // a byte-order mark
        let blockSize = [1, 7, 64, 1000, 1 << 16][n % 5]

        let want = InMemoryRun.state(of: input, tracksChanges: true)
        let parallel = LineIngestor(state: ActivityState(tracksChanges: true))
        var outcomes = 0
        try batches(of: input, blockSize: blockSize) { batch in
            for index in 0..<batch.count {
                _ = parallel.apply(batch, at: index)
                outcomes += 1
            }
        }
        let got = parallel.state
        #expect(got.summary() == want.summary(), "\(options), block \(blockSize)")
        #expect(got.tally == want.tally)
        #expect(outcomes == Int(want.tally.lines))
        var wantRecords: [[UInt8]] = [], gotRecords: [[UInt8]] = []
        try want.writeCheckpointRecords { wantRecords.append($0) }
        try got.writeCheckpointRecords { gotRecords.append($0) }
        #expect(gotRecords == wantRecords)
    }

    /// Batches cut at line boundaries: every line once, in order, each batch
    /// at least `batchBytes` long except the last, and an unterminated line last.
    @Test(arguments: [1, 5, 100, 4096])
    func batchesEndAtLineBoundaries(_ blockSize: Int) throws {
        let lines = (0..<500).map { "line \($0) " + String(repeating: "x", count: $0 % 37) }
        let input = Array((lines.joined(separator: "\n") + "\nlast without newline").utf8)
        var next: UInt64 = 0
        var batchSizes: [UInt64] = []
        var sawUnterminated = false
        try batches(of: input, blockSize: blockSize, maxLineLength: 64) { batch in
            let first = next
            for index in 0..<batch.count {
                let line = batch[index]
                #expect(line.start == next)
                #expect(!sawUnterminated, "a line after the unterminated one")
                #expect(line.end == UInt64(input.count) || input[Int(line.end) - 1] == UInt8(ascii: "\n"))
                sawUnterminated = !line.isTerminated
                next = line.end
            }
            batchSizes.append(next - first)
        }
        #expect(next == UInt64(input.count))
        #expect(sawUnterminated)
        #expect(batchSizes.dropLast().allSatisfy { $0 >= UInt64(blockSize) })
    }

    /// The reading thread stays a bounded distance ahead of the lines handed
    /// out (the stress harness reads the file position to count lost lines).
    @Test func readAheadIsBounded() throws {
        var options = GeneratorOptions(lines: 20_000)
        options.seed = 3
        let input = LogGenerator(options: options).bytes()
        let (file, remove) = try openFile(input)
        defer { remove() }
        let blockSize = 4096, maxLineLength = 1024, depth = 3
        let reader = try LineReader(file: file, startingAt: 0, maxLineLength: maxLineLength, blockSize: blockSize)
        let pipeline = DecodingPipeline(reader: reader, maxLineLength: maxLineLength, batchBytes: blockSize, depth: depth)
        defer { pipeline.stop() }
        var handedOut: UInt64 = 0
        while let batch = try pipeline.next() {
            let position = UInt64(lseek(file.rawValue, 0, SEEK_CUR))
            // The batches that may be queued or being filled, plus the reader's buffer.
            let bound = UInt64(depth * (blockSize + maxLineLength) + blockSize + maxLineLength)
            #expect(position <= batch[batch.count - 1].end + bound, "position \(position) after \(handedOut)")
            handedOut = batch[batch.count - 1].end
            pipeline.recycle(batch)
        }
        #expect(handedOut == UInt64(input.count))
    }
}
