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

    /// Every batch of the pipeline, in order, from `offset` on.
    func batches(of bytes: [UInt8], from offset: UInt64 = 0, blockSize: Int, maxLineLength: Int = 1 << 20,
                 checkpointed: CheckpointedIDs? = nil, _ body: (DecodedBatch) -> Void) throws {
        let (file, remove) = try openFile(bytes)
        defer { remove() }
        let reader = try LineReader(file: file, startingAt: offset, maxLineLength: maxLineLength, blockSize: blockSize)
        let pipeline = DecodingPipeline(reader: reader, maxLineLength: maxLineLength, batchBytes: blockSize,
                                        checkpointed: checkpointed)
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
                outcomes += Int(batch[index].lineCount)
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

    /// A state resumed from a checkpoint of the first part of a log reads the
    /// rest through the pipeline, whose decoding threads tell which ids cannot
    /// be checkpointed ones, exactly as it does one line at a time: same
    /// summary, tally and records. Duplicates of checkpointed ids abound.
    @Test(arguments: 0..<8)
    func aResumedStateReadsThroughThePipelineAsLineByLine(_ n: Int) throws {
        var options = GeneratorOptions(lines: 500 + n * 400)
        options.seed = 900 + UInt64(n)
        options.duplicateRate = [0.0, 0.05, 0.3, 0.6][n % 4]
        options.malformedRate = 0.02
        var input = LogGenerator(options: options).bytes()
        let cut = input.prefix(input.count * (1 + n % 3) / 4).lastIndex(of: 10).map { $0 + 1 } ?? 0
        // Every seventh line before the cut once more at the end: ids the
        // checkpoint holds, to be found by reading their lines again.
        var repeated = 0
        for (index, line) in input[..<cut].split(separator: 10).enumerated() where index % 7 == 0 {
            input += line + [10]
            repeated += 1
        }
        let blockSize = [7, 64, 1000, 1 << 16][n % 4]
        var records: [[UInt8]] = []
        let before = InMemoryRun.state(of: Array(input[..<cut]), tracksChanges: true)
        try before.writeCheckpointRecords { records.append($0) }
        func resumed() throws -> ActivityState {
            let state = ActivityState(tracksChanges: true)
            state.reserveCheckpointedIDs(Int(before.tally.events))
            state.checkpointedLines = { InMemoryRun.line(of: input, at: $0) }
            for record in records { try record.withUnsafeBytes { try state.applyCheckpointRecord($0) } }
            try state.finishLoadingCheckpoint()
            state.tally = before.tally
            state.markCheckpointed()
            return state
        }
        let oneByOne = LineIngestor(state: try resumed())
        var ingest = oneByOne
        InMemoryRun.forEachLine(of: Array(input[cut...])) { line, offset in
            _ = ingest.ingest(line, at: UInt64(cut) + offset)
        }
        let piped = LineIngestor(state: try resumed())
        try batches(of: input, from: UInt64(cut), blockSize: blockSize, checkpointed: piped.state.checkpointedIDs) { batch in
            for index in 0..<batch.count { _ = piped.apply(batch, at: index) }
        }
        let (want, got) = (oneByOne.state, piped.state)
        #expect(repeated > 10)
        #expect(want.tally.duplicates - before.tally.duplicates >= UInt64(repeated) / 2, "most repeated lines are events")
        #expect(got.summary() == want.summary(), "\(options), block \(blockSize)")
        #expect(got.tally == want.tally)
        #expect(got.checkpointMismatch == nil && want.checkpointMismatch == nil)
        var wantRecords: [[UInt8]] = [], gotRecords: [[UInt8]] = []
        try want.writeCheckpointRecords { wantRecords.append($0) }
        try got.writeCheckpointRecords { gotRecords.append($0) }
        #expect(gotRecords == wantRecords)
        // And both are the state of the whole log read at once.
        #expect(got.summary() == InMemoryRun.state(of: input).summary())
    }

    /// Batches cut at line boundaries: every line once, in order, each batch
    /// but the last full (the next line would not have fit in `batchBytes`,
    /// or it took one line past them, or the next is the input's last), and
    /// an unterminated line last.
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
        var batchStart = 0
        for size in batchSizes.dropLast() {
            let end = batchStart + Int(size)
            let nextLine = (input[end...].firstIndex(of: UInt8(ascii: "\n")) ?? input.count - 1) + 1 - end
            // A batch before the input's last line may be short: the input ended.
            #expect(Int(size) + nextLine > blockSize || end + nextLine == input.count,
                    "a batch of \(size) bytes, then a line of \(nextLine), for \(blockSize)")
            batchStart = end
        }
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
