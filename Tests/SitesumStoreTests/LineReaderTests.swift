import Foundation
import SitesumGenerator
@testable import SitesumStore
import Testing

@Suite struct LineReaderTests {
    /// What the reader must hand out, computed the obvious way.
    struct ExpectedLine: Equatable, CustomStringConvertible {
        var bytes: [UInt8]
        var start: UInt64
        var end: UInt64
        var isTerminated: Bool
        var isTooLong: Bool

        var description: String {
            "[\(start), \(end)) terminated=\(isTerminated) tooLong=\(isTooLong) \(bytes.count) bytes"
        }
    }

    static func naiveSplit(_ data: [UInt8], from offset: Int, maxLineLength: Int) -> [ExpectedLine] {
        var lines: [ExpectedLine] = []
        var start = offset
        while start < data.count {
            let newline = data[start...].firstIndex(of: 0x0A)
            let stop = newline ?? data.count
            let end = newline.map { $0 + 1 } ?? data.count
            let tooLong = stop - start > maxLineLength
            lines.append(ExpectedLine(
                bytes: tooLong ? [] : Array(data[start..<stop]),
                start: UInt64(start), end: UInt64(end),
                isTerminated: newline != nil, isTooLong: tooLong))
            start = end
        }
        return lines
    }

    static func readAll(_ path: String, from offset: UInt64 = 0, maxLineLength: Int, blockSize: Int) throws -> [ExpectedLine] {
        try withFile(path) { file in
            let reader = try LineReader(file: file, startingAt: offset, maxLineLength: maxLineLength, blockSize: blockSize)
            var lines: [ExpectedLine] = []
            while let line = try reader.next() {
                lines.append(ExpectedLine(bytes: Array(line.bytes), start: line.start, end: line.end,
                                          isTerminated: line.isTerminated, isTooLong: line.isTooLong))
                #expect(reader.position == line.end)
            }
            // Staying at the end is stable.
            #expect(try reader.next() == nil)
            return lines
        }
    }

    /// As `readAll`, taking whole lines in pieces (`nextLines`, and with
    /// `inPlace` also `readLines`, into memory of the caller's) of at most
    /// each of `budgets` bytes in turn, and single lines (`next`) where a
    /// piece has no whole line, then splitting the pieces the obvious way.
    static func readAllInPieces(_ path: String, from offset: UInt64 = 0, maxLineLength: Int, blockSize: Int,
                                budgets: [Int], inPlace: Bool = false) throws -> [ExpectedLine] {
        try withFile(path) { file in
            let reader = try LineReader(file: file, startingAt: offset, maxLineLength: maxLineLength, blockSize: blockSize)
            var lines: [ExpectedLine] = []
            var turn = 0
            while true {
                let budget = budgets[turn % budgets.count]
                turn += 1
                let room = UnsafeMutableRawPointer.allocate(byteCount: max(1, budget), alignment: 16)
                defer { room.deallocate() }
                if let piece = try reader.nextLines(upTo: budget) ?? (inPlace ? reader.readLines(into: room, room: budget) : nil) {
                    #expect(piece.bytes.count <= budget && piece.bytes.last == 0x0A)
                    #expect(reader.position == piece.start + UInt64(piece.bytes.count))
                    let split = naiveSplit(Array(piece.bytes), from: 0, maxLineLength: maxLineLength)
                    lines += split.map { line in
                        var line = line
                        line.start += piece.start
                        line.end += piece.start
                        return line
                    }
                    continue
                }
                guard let line = try reader.next() else { break }
                lines.append(ExpectedLine(bytes: Array(line.bytes), start: line.start, end: line.end,
                                          isTerminated: line.isTerminated, isTooLong: line.isTooLong))
            }
            #expect(reader.nextLines(upTo: 1 << 20) == nil)
            return lines
        }
    }

    func check(_ data: [UInt8], from offset: Int = 0, maxLineLength: Int, blockSize: Int,
               in directory: TemporaryDirectory, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let path = directory.file("input")
        try writeFile(path, data)
        let actual = try Self.readAll(path, from: UInt64(offset), maxLineLength: maxLineLength, blockSize: blockSize)
        let expected = Self.naiveSplit(data, from: offset, maxLineLength: maxLineLength)
        #expect(actual == expected, "max \(maxLineLength) block \(blockSize) offset \(offset)",
                sourceLocation: sourceLocation)
        for budgets in [[1 << 20], [0, 1, 7, 9, 16, 33, 100], [5, 64], [blockSize], [blockSize / 2 + 1, 3]] {
            for inPlace in [false, true] {
                let inPieces = try Self.readAllInPieces(path, from: UInt64(offset), maxLineLength: maxLineLength,
                                                        blockSize: blockSize, budgets: budgets, inPlace: inPlace)
                #expect(inPieces == expected, "in pieces of \(budgets)\(inPlace ? " read in place" : ""), max \(maxLineLength) block \(blockSize) offset \(offset)",
                        sourceLocation: sourceLocation)
            }
        }
    }

    /// The backward search for a piece's last "\n" against the obvious one,
    /// at every length and position, with bytes that differ from "\n" in
    /// one bit (0x0B, 0x8A) around it.
    @Test func lastNewlineIsTheLastOne() {
        for count in 0...40 {
            for fill: UInt8 in [0x61, 0x0B, 0x8A, 0x09] {
                for position in [-1] + Array(0..<count) {
                    var bytes = [UInt8](repeating: fill, count: count)
                    if position >= 0 { bytes[position] = 0x0A }
                    if position > 2 { bytes[position / 2] = 0x0A }
                    let expected = bytes.lastIndex(of: 0x0A)
                    let found = bytes.withUnsafeBytes { LineReader.lastNewline(in: $0.baseAddress ?? UnsafeRawPointer(bitPattern: 8)!, count: count) }
                    #expect(found == expected, "\(count) bytes of \(fill), newline at \(position)")
                }
            }
        }
    }

    @Test func emptyFileYieldsNothing() throws {
        let directory = try TemporaryDirectory()
        for blockSize in [1, 7, 1 << 20] {
            try check([], maxLineLength: 10, blockSize: blockSize, in: directory)
        }
    }

    @Test func simpleShapes() throws {
        let directory = try TemporaryDirectory()
        let cases: [String] = [
            "\n", "\n\n\n", "abc", "abc\n", "abc\ndef", "abc\ndef\n", "a\r\nb\r\n", "\r\n", "\r",
            "x\n\ny\n\n",
        ]
        for text in cases {
            for blockSize in [1, 2, 3, 7, 64] {
                try check(Array(text.utf8), maxLineLength: 8, blockSize: blockSize, in: directory)
            }
        }
    }

    /// One line read again by its offset, as a resume compares ids: every
    /// line of the file, short and long, the last one unterminated.
    @Test func oneLineByItsOffset() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("input")
        var data: [UInt8] = []
        for length in [0, 1, 100, 511, 512, 513, 3000, 70_000, 5] {
            data += (0..<length).map { UInt8(0x61 + $0 % 26) } + (length == 5 ? [] : [0x0A])
        }
        try writeFile(path, data)
        let expected = Self.naiveSplit(data, from: 0, maxLineLength: .max)
        try withFile(path) { file in
            for line in expected {
                #expect(try LineReader.line(of: file, at: line.start, maxLineLength: 70_000) == line.bytes)
                let limit = max(0, line.bytes.count - 1)
                let cut = try LineReader.line(of: file, at: line.start, maxLineLength: limit)
                #expect(line.bytes.isEmpty ? cut == [] : cut == nil, "over the limit of \(limit)")
            }
            #expect(try LineReader.line(of: file, at: UInt64(data.count), maxLineLength: 10) == [])
            // The file position is left alone.
            #expect(lseek(file.rawValue, 0, SEEK_CUR) == 0)
        }
    }

    /// Lines by offset through the reused window, in order, backwards and at
    /// random, short ones, ones across the window's end and ones longer than
    /// a window: the same bytes as reading each on its own.
    @Test func linesByOffsetThroughTheWindow() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("input")
        var random = SplitMix64(state: 3)
        var data: [UInt8] = []
        for index in 0..<3000 {
            let length = index % 500 == 7 ? 70_000 + Int(random.next() % 5000) : Int(random.next() % 300)
            data += (0..<length).map { UInt8(0x61 + $0 % 26) } + [0x0A]
        }
        try writeFile(path, data)
        let expected = Self.naiveSplit(data, from: 0, maxLineLength: .max)
        try withFile(path) { file in
            let lines = LinesByOffset(file: file, maxLineLength: 80_000)
            let orders = [Array(expected.indices), expected.indices.reversed(), expected.indices.map { _ in Int(random.next() % UInt64(expected.count)) }]
            for order in orders {
                for index in order {
                    let got = try lines.line(at: expected[index].start)
                    #expect(got == expected[index].bytes, "line \(index)")
                }
            }
            let short = LinesByOffset(file: file, maxLineLength: 100)
            for line in expected.prefix(600) {
                let got = try short.line(at: line.start)
                #expect(got == (line.bytes.count > 100 ? nil : line.bytes))
            }
        }
    }

    @Test func crlfKeepsTheCarriageReturn() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("input")
        try writeFile(path, Array("ab\r\ncd".utf8))
        let lines = try Self.readAll(path, maxLineLength: 100, blockSize: 1 << 20)
        #expect(lines.map(\.bytes) == [Array("ab\r".utf8), Array("cd".utf8)])
        #expect(lines.map(\.end) == [4, 6])
        #expect(lines.map(\.isTerminated) == [true, false])
    }

    @Test func lineExactlyAtTheLimitIsKeptAndOneMoreIsTooLong() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("input")
        let atLimit = [UInt8](repeating: 0x61, count: 10)
        let overLimit = [UInt8](repeating: 0x62, count: 11)
        for blockSize in [1, 3, 10, 11, 1 << 16] {
            try writeFile(path, atLimit + [0x0A] + overLimit + [0x0A] + atLimit)
            let lines = try Self.readAll(path, maxLineLength: 10, blockSize: blockSize)
            #expect(lines == [
                ExpectedLine(bytes: atLimit, start: 0, end: 11, isTerminated: true, isTooLong: false),
                ExpectedLine(bytes: [], start: 11, end: 23, isTerminated: true, isTooLong: true),
                ExpectedLine(bytes: atLimit, start: 23, end: 33, isTerminated: false, isTooLong: false),
            ], "block \(blockSize)")
            // The same at the end of the file without "\n".
            try writeFile(path, overLimit)
            #expect(try Self.readAll(path, maxLineLength: 10, blockSize: blockSize) == [
                ExpectedLine(bytes: [], start: 0, end: 11, isTerminated: false, isTooLong: true),
            ])
        }
    }

    @Test func overLongLineSpanningManyBlocksIsReportedOnce() throws {
        let directory = try TemporaryDirectory()
        let long = [UInt8](repeating: 0x7A, count: 10_000)
        let data = Array("first\n".utf8) + long + [0x0A] + Array("after\n".utf8) + long
        for blockSize in [1, 7, 100, 4096] {
            try check(data, maxLineLength: 16, blockSize: blockSize, in: directory)
        }
        let path = directory.file("input")
        let lines = try Self.readAll(path, maxLineLength: 16, blockSize: 7)
        #expect(lines.count == 4)
        #expect(lines[1] == ExpectedLine(bytes: [], start: 6, end: 10_007, isTerminated: true, isTooLong: true))
    }

    @Test func zeroMaximumKeepsOnlyEmptyLines() throws {
        let directory = try TemporaryDirectory()
        try check(Array("\n\na\n\nbc".utf8), maxLineLength: 0, blockSize: 1, in: directory)
        try check(Array("\n\na\n\nbc".utf8), maxLineLength: 0, blockSize: 5, in: directory)
    }

    @Test func startingAtNonzeroOffsets() throws {
        let directory = try TemporaryDirectory()
        let data = Array("one\ntwo\n\nthree\nfour".utf8)
        for offset in 0...data.count {
            for blockSize in [1, 4, 1024] {
                try check(data, from: offset, maxLineLength: 5, blockSize: blockSize, in: directory)
            }
        }
    }

    @Test func randomContentMatchesNaiveSplit() throws {
        let directory = try TemporaryDirectory()
        var generator = SeededGenerator(seed: 42)
        let alphabet: [UInt8] = Array("ab{\"}:,\r \u{7F}".utf8) + [0x00, 0xFF]
        for round in 0..<300 {
            let maxLineLength = [0, 1, 2, 5, 16, 100].randomElement(using: &generator)!
            let blockSize = [1, 2, 3, 7, 16, 64, 4096].randomElement(using: &generator)!
            var data: [UInt8] = []
            let lineCount = Int.random(in: 0...40, using: &generator)
            for _ in 0..<lineCount {
                let length: Int
                switch Int.random(in: 0..<10, using: &generator) {
                case 0: length = 0
                case 1: length = maxLineLength
                case 2: length = maxLineLength + 1
                case 3: length = maxLineLength * 5 + Int.random(in: 0...50, using: &generator)
                default: length = Int.random(in: 0...(maxLineLength + 3), using: &generator)
                }
                for _ in 0..<length { data.append(alphabet.randomElement(using: &generator)!) }
                data.append(0x0A)
            }
            if Bool.random(using: &generator), !data.isEmpty {
                data.removeLast()  // no final newline
            }
            let offset = data.isEmpty || Bool.random(using: &generator) ? 0 : Int.random(in: 0...data.count, using: &generator)
            try check(data, from: offset, maxLineLength: maxLineLength, blockSize: blockSize, in: directory)
            _ = round
        }
    }

    /// A pipe whose writer neither writes nor closes keeps a read waiting;
    /// `stopWaiting` ends the wait, as the run's SIGINT and SIGTERM do, with
    /// EINTR, after handing out what did come. Unasked, the read waits (and
    /// takes what comes later).
    @Test func aWaitingReadEndsWhenAskedToStop() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        let readEnd = FileDescriptor(rawValue: ends[0], path: "pipe")
        let writeEnd = FileDescriptor(rawValue: ends[1], path: "pipe")
        defer {
            readEnd.close()
            writeEnd.close()
        }
        try writeEnd.writeAll(Array("first\n".utf8))
        let reader = try LineReader(file: readEnd, startingAt: 0, maxLineLength: 100, blockSize: 64)
        var asked = 0
        reader.stopWaiting = {
            asked += 1
            // The first time, more comes meanwhile; the third, the run stops.
            if asked == 1 { try? writeEnd.writeAll(Array("second\n".utf8)) }
            return asked >= 3
        }
        #expect(try reader.next().map { Array($0.bytes) } == Array("first".utf8))
        #expect(try reader.next().map { Array($0.bytes) } == Array("second".utf8))
        #expect(asked == 1)
        do {
            let line = try reader.next()
            Issue.record("a read with nothing to read returned \(String(describing: line))")
        } catch {
            #expect(error.errno == .interrupted)
        }
        #expect(asked == 3)
    }

    @Test func readsWhatTheFileHoldsWhenRead() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("input")
        try writeFile(path, Array("a\nb".utf8))
        let file = try FileDescriptor.open(path, O_RDONLY)
        defer { file.close() }
        let reader = try LineReader(file: file, startingAt: 0, maxLineLength: 10, blockSize: 1)
        let first = try #require(try reader.next())
        #expect(Array(first.bytes) == Array("a".utf8))
        // The file grows before the reader reaches its end: the new bytes are read.
        let appender = try FileDescriptor.open(path, O_WRONLY | O_APPEND)
        try appender.writeAll(Array("c\nd\n".utf8))
        appender.close()
        let second = try #require(try reader.next())
        #expect(Array(second.bytes) == Array("bc".utf8))
        #expect(second.isTerminated)
        let third = try #require(try reader.next())
        #expect(Array(third.bytes) == Array("d".utf8))
        #expect(third.end == 7)
        #expect(try reader.next() == nil)
    }

    /// `LinesByOffset` reads through an open file of its own: reading lines
    /// again moves neither the caller's file position nor anything of it,
    /// and the second open file is the same file even once its path names
    /// another.
    @Test func reopenedFileIsTheSameFileWithItsOwnPosition() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("input")
        try writeFile(path, Array("first\nsecond\nthird\n".utf8))
        try withFile(path) { file in
            #expect(lseek(file.rawValue, 6, SEEK_SET) == 6)
            let replacement = directory.file("replacement")
            try writeFile(replacement, Array("other\n".utf8))
            #expect(rename(replacement, path) == 0)
            let reopened = try #require(file.reopened())
            defer { reopened.close() }
            #expect(reopened.rawValue != file.rawValue)
            #expect(try reopened.status().inode == file.status().inode)
            #expect(lseek(reopened.rawValue, 0, SEEK_CUR) == 0)
            var buffer = [UInt8](repeating: 0, count: 5)
            #expect(try buffer.withUnsafeMutableBytes { try reopened.read(into: $0) } == 5)
            #expect(buffer == Array("first".utf8))
            #expect(lseek(file.rawValue, 0, SEEK_CUR) == 6)
            let lines = LinesByOffset(file: file, maxLineLength: 100)
            #expect(try lines.line(at: 13) == Array("third".utf8))
            #expect(lseek(file.rawValue, 0, SEEK_CUR) == 6)
        }
    }
}

@Suite struct LineReaderPipeTests {
    /// A pipe has no second open file to give: another would be another reader.
    @Test func aPipeIsNotReopened() {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        #expect(FileDescriptor(rawValue: fds[0], path: "pipe").reopened() == nil)
    }

    @Test func readsFromAPipe() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let text = Array("one\ntwo\nthree".utf8)
        text.withUnsafeBytes { _ = write(fds[1], $0.baseAddress, $0.count) }
        close(fds[1])
        let file = FileDescriptor(rawValue: fds[0], path: "pipe")
        defer { file.close() }
        let reader = try LineReader(file: file, startingAt: 0, maxLineLength: 100, blockSize: 4)
        var lines: [String] = []
        while let line = try reader.next() {
            lines.append(String(decoding: line.bytes, as: UTF8.self))
        }
        #expect(lines == ["one", "two", "three"])
    }
}
