import SitesumGenerator
import Testing
@testable import SitesumCore

/// A batch's names are ranges of its staged lines' bytes, or copies after
/// them when a name is not in its line as it is (escapes decoded).
@Suite struct DecodedBatchTests {
    /// A line of exactly `length` bytes whose site is `s<i>` and whose
    /// sender is `v<i>`, escaped (`\u0076`) on odd lines, and whose id is a
    /// UUID on lines divisible by three and `id-<i>` (escaped on some) on the rest.
    static func line(_ i: Int, length: Int) -> String {
        let from = i % 2 == 1 ? #"\u0076\#(i)"# : "v\(i)"
        let id = i % 3 == 0 ? "00000000-0000-4000-8000-" + String(i + 100_000_000_000, radix: 10).suffix(12)
            : i % 5 == 0 ? #"\u0069d-\#(i)"# : "id-\(i)"
        let head = #"{"id":"\#(id)","type":"message","from":"\#(from)","site_id":"s\#(i)","timestamp":\#(i),"data":{"message":""#
        return head + String(repeating: "x", count: length - head.utf8.count - 3) + #""}}"#
    }

    /// Staged lines that fill the batch's bytes to just under their first
    /// capacity, so that copying the escaped names grows them (moving every
    /// line) part way through decoding: every name still reads back right.
    /// Staged one at a time (`stage`) or as one piece (`stageLines`).
    @Test(arguments: [160, 250, 333], [false, true])
    func namesSurviveTheBytesGrowingWhileDecoding(length: Int, inOnePiece: Bool) {
        let batch = DecodedBatch()
        let count = 64 * 1024 / (length + 1)
        var offset: UInt64 = 0
        var piece: [UInt8] = []
        for i in 0..<count {
            let bytes = Array(Self.line(i, length: length).utf8)
            #expect(bytes.count == length)
            if inOnePiece {
                piece += bytes + [0x0A]
            } else {
                bytes.withUnsafeBytes { batch.stage($0, start: offset, end: offset + UInt64(length) + 1, isTerminated: true) }
            }
            offset += UInt64(length) + 1
        }
        if inOnePiece { piece.withUnsafeBytes { batch.stageLines($0, start: 0) } }
        let capacity = batch.staged.capacity
        #expect(batch.staged.count <= capacity, "the lines alone fit")
        batch.decodeStaged(limit: 1 << 20)
        #expect(batch.staged.capacity > capacity, "the copied names grew the bytes while decoding")
        #expect(batch.count == count)
        for i in 0..<count {
            let line = batch[i]
            #expect(line.outcome == .message, "line \(i)")
            #expect(Array(batch.name(line.site)) == Array("s\(i)".utf8), "line \(i)")
            #expect(Array(batch.name(line.from)) == Array("v\(i)".utf8), "line \(i)")
            if i % 3 == 0 {
                #expect(line.id == nil, "line \(i): a UUID id")
            } else {
                let id = try! #require(line.id, "line \(i)")
                #expect(Array(batch.name(id)) == Array("id-\(i)".utf8), "line \(i)")
            }
        }
    }

    /// Lines staged as pieces (`stageLines`) decode to exactly what staging
    /// them one at a time (`stage`, `stageTooLong`) gives: the same outcomes,
    /// offsets, times, ids, names and reasons, for events, blank and malformed
    /// lines, lines over the limit, and a byte-order mark at the start of the
    /// input, cut into pieces at random.
    @Test func linesStagedInPiecesDecodeAsLinesStagedOneByOne() {
        var random = SplitMix64(state: 7)
        let limit = 220
        var lines: [[UInt8]] = [[0xEF, 0xBB, 0xBF] + Array(Self.line(0, length: 180).utf8)]
        for i in 1..<400 {
            switch random.next() % 8 {
            case 0: lines.append([])
            case 1: lines.append(Array("{\"id\":".utf8))
            case 2: lines.append(Array(Self.line(i, length: limit + 1 + Int(random.next() % 50)).utf8))
            case 3: lines.append(Array(Self.line(i, length: limit).utf8))
            default: lines.append(Array(Self.line(i, length: 150 + Int(random.next() % 70)).utf8))
            }
        }
        let oneByOne = DecodedBatch(), inPieces = DecodedBatch()
        var offset: UInt64 = 0
        var piece: [UInt8] = [], pieceStart: UInt64 = 0
        for (index, line) in lines.enumerated() {
            let end = offset + UInt64(line.count) + 1
            if line.count > limit {
                oneByOne.stageTooLong(start: offset, end: end, isTerminated: true, length: UInt64(line.count))
            } else {
                line.withUnsafeBytes { oneByOne.stage($0, start: offset, end: end, isTerminated: true) }
            }
            piece += line + [0x0A]
            if random.next() % 5 == 0 || index == lines.count - 1 {
                piece.withUnsafeBytes { inPieces.stageLines($0, start: pieceStart) }
                piece = []
                pieceStart = end
            }
            offset = end
        }
        oneByOne.decodeStaged(limit: limit)
        inPieces.decodeStaged(limit: limit)
        // A run of blank lines is one entry, however the lines were staged.
        let runs = (1..<lines.count).filter { lines[$0].isEmpty && lines[$0 - 1].isEmpty }.count
        #expect(runs > 0, "the lines have runs of blank lines")
        #expect(inPieces.count == lines.count - runs)
        #expect(oneByOne.count == lines.count - runs)
        #expect((0..<inPieces.count).reduce(0) { $0 + Int(inPieces[$1].lineCount) } == lines.count)
        for index in 0..<min(inPieces.count, oneByOne.count) {
            let a = oneByOne[index], b = inPieces[index]
            #expect(a.outcome == b.outcome && a.start == b.start && a.end == b.end && a.isTerminated == b.isTerminated,
                    "line \(index)")
            #expect(a.timestamp == b.timestamp && a.uuid.high == b.uuid.high && a.uuid.low == b.uuid.low && a.idHash == b.idHash, "line \(index)")
            #expect(Array(oneByOne.name(a.site)) == Array(inPieces.name(b.site)), "line \(index)")
            #expect(Array(oneByOne.name(a.from)) == Array(inPieces.name(b.from)), "line \(index)")
            #expect(a.id.map { Array(oneByOne.name($0)) } == b.id.map { Array(inPieces.name($0)) }, "line \(index)")
            if a.outcome == .malformed {
                #expect(oneByOne.malformedReason(at: index) == inPieces.malformedReason(at: index), "line \(index)")
            }
        }
        let outcomes = Set((0..<inPieces.count).map { inPieces[$0].outcome })
        #expect(outcomes == [.blank, .message, .malformed], "the lines cover blank, event and malformed lines")
        #expect(inPieces[0].outcome == .message, "the byte-order mark at the start is skipped")
    }

    /// Consecutive blank lines (empty, "\r", whitespace) come as one entry
    /// that spans them and counts them; a line that is not blank ends the
    /// run, and so does an unterminated last line, which stays on its own.
    /// Applied, the entries count every line as the one-at-a-time path does.
    @Test func aRunOfBlankLinesIsOneEntry() {
        let text = "\n\n\r\n  \n" + Self.line(1, length: 160) + "\n\n\t\n" + Self.line(2, length: 160) + "\n\n   "
        let bytes = Array(text.utf8)
        let batch = DecodedBatch()
        bytes.withUnsafeBytes { batch.stageLines(UnsafeRawBufferPointer(rebasing: $0[..<(bytes.count - 3)]), start: 0) }
        bytes.withUnsafeBytes {
            batch.stage(UnsafeRawBufferPointer(rebasing: $0[(bytes.count - 3)...]), start: UInt64(bytes.count - 3),
                        end: UInt64(bytes.count), isTerminated: false)
        }
        batch.decodeStaged(limit: 1 << 20)
        let entries = (0..<batch.count).map { batch[$0] }
        #expect(entries.map(\.outcome) == [.blank, .message, .blank, .message, .blank, .blank])
        #expect(entries.map(\.lineCount) == [4, 1, 2, 1, 1, 1])
        let firstEvent: UInt64 = 7  // "\n\n\r\n  \n"
        #expect(entries[0].start == 0 && entries[0].end == firstEvent && entries[1].start == firstEvent)
        #expect(entries[2].start == entries[1].end && entries[2].end == entries[3].start)
        #expect(!entries[5].isTerminated && entries[4].isTerminated && entries[5].start == entries[4].end)
        let ingestor = LineIngestor(state: ActivityState())
        for index in 0..<batch.count { _ = ingestor.apply(batch, at: index) }
        #expect(ingestor.state.tally == InMemoryRun.state(of: bytes).tally)
        #expect(ingestor.state.tally.lines == 10 && ingestor.state.tally.blank == 8)
    }

    /// With a loaded checkpoint's ids, decoding marks every line: a line
    /// whose UUID id has a tag in the table may be checkpointed, any other
    /// may not, whatever the batch's size against the lookups' prefetch
    /// distance (`DecodedBatch.checkpointPrefetchDistance`).
    @Test func everyLineIsMarkedAgainstTheCheckpointedIDs() throws {
        let distance = DecodedBatch.checkpointPrefetchDistance
        for count in [0, 1, 2, distance - 1, distance, distance + 1, 2 * distance + 3, 300] {
            func decoded(_ checkpointed: CheckpointedIDs?) -> DecodedBatch {
                let batch = DecodedBatch()
                var piece: [UInt8] = []
                for i in 0..<count { piece += Array(Self.line(i, length: 160).utf8) + [0x0A] }
                if count > 0 { piece.withUnsafeBytes { batch.stageLines($0, start: 0) } }
                batch.decodeStaged(limit: 1 << 20, checkpointed: checkpointed)
                return batch
            }
            let plain = decoded(nil)
            // Every sixth line's id is checkpointed (a UUID), and the line
            // after it (another id).
            let held = (0..<count).filter { $0 % 6 <= 1 }
            let ids = CheckpointedIDs(reserving: max(1, held.count))
            for i in held { #expect(ids.add(fingerprint: plain.lines[i].fingerprint, offset: UInt64(i))) }
            #expect(ids.finishLoading())
            let marked = decoded(ids)
            #expect(marked.count == count)
            for i in 0..<marked.count {
                let line = marked.lines[i]
                if line.isEvent {
                    #expect(line.mayBeCheckpointed == ids.mayHold(line.fingerprint), "\(count) lines, line \(i)")
                    if i % 6 <= 1 { #expect(line.mayBeCheckpointed, "\(count) lines, line \(i) is held") }
                } else {
                    #expect(line.mayBeCheckpointed, "\(count) lines, line \(i): only events' ids are looked up")
                }
            }
            #expect((0..<marked.count).contains { marked.lines[$0].hasUUID && !marked.lines[$0].mayBeCheckpointed } == (count > 3),
                    "\(count) lines: the UUID ids not held are found not to be")
            #expect((0..<marked.count).contains { marked.lines[$0].isEvent && !marked.lines[$0].hasUUID
                        && !marked.lines[$0].mayBeCheckpointed } == (count > 2),
                    "\(count) lines: the other ids not held are found not to be")
        }
    }
}
