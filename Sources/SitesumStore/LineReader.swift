#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits a file into lines at "\n", reading big blocks with `read(2)` and finding
/// line ends with `memchr`, and hands out each line as a byte view plus offsets.
///
/// It knows nothing about JSON or events. Memory is fixed at construction:
/// one buffer of `blockSize + maxLineLength` bytes, so an input that is one
/// endless line cannot exhaust memory — a line longer than `maxLineLength` is
/// skipped by scanning ahead for its "\n" and reported once, as ``Line/isTooLong``.
///
/// It reads whatever the file holds when it is read: a file that grows while being
/// read is read up to the end seen by the last `read(2)`, which returned 0.
///
/// The common case — the next "\n" is already in the buffer — is inlined into the
/// caller; refilling and skipping live out of line in ``nextSlowly()``.
public final class LineReader {
    @usableFromInline let file: FileDescriptor
    @usableFromInline let maxLineLength: Int
    @usableFromInline let blockSize: Int
    @usableFromInline let capacity: Int
    @usableFromInline let buffer: UnsafeMutableRawPointer
    /// File offset of `buffer[0]`.
    @usableFromInline var bufferOffset: UInt64
    /// Index of the first byte not yet handed out.
    @usableFromInline var head: Int = 0
    /// `[head, scanned)` is known to hold no "\n", so it is never searched twice.
    @usableFromInline var scanned: Int = 0
    /// Index just past the last valid byte.
    @usableFromInline var tail: Int = 0
    /// A `read(2)` returned 0: nothing more will be read.
    @usableFromInline var atEndOfFile = false
    /// Asked while a read waits for input that has not come (a pipe, a
    /// terminal: ``FileDescriptor/waitUntilReadable(checkingEvery:stop:)``);
    /// true ends the wait with `EINTR`, so that a signal asking the run to
    /// stop is heard there too. Nil: reads just wait (a regular file's never do).
    public var stopWaiting: (() -> Bool)?

    /// Prepares to read `file` from `offset` on (the file position is moved there;
    /// at offset 0 it is left alone, so pipes and other unseekable inputs work).
    /// - Parameters:
    ///   - maxLineLength: the longest line (without "\n") handed out with its bytes.
    ///   - blockSize: how much one `read(2)` asks for.
    public init(file: FileDescriptor, startingAt offset: UInt64, maxLineLength: Int, blockSize: Int = 1 << 20) throws(SystemError) {
        precondition(maxLineLength >= 0, "maxLineLength must not be negative")
        precondition(blockSize > 0, "blockSize must be positive")
        if offset > 0 { try file.seek(to: offset) }
        self.file = file
        self.maxLineLength = maxLineLength
        self.blockSize = blockSize
        self.capacity = blockSize + maxLineLength
        self.buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 64)
        self.bufferOffset = offset
    }

    deinit {
        buffer.deallocate()
    }

    /// The file offset just past the last line handed out (where reading resumes).
    public var position: UInt64 {
        bufferOffset + UInt64(head)
    }

    /// The next line, or nil at the end of the file.
    @inlinable
    public func next() throws(SystemError) -> Line? {
        if scanned < tail, let found = memchr(buffer + scanned, 0x0A, tail &- scanned) {
            let newline = buffer.distance(to: found)
            let length = newline &- head
            if length <= maxLineLength {
                let line = Line(
                    bytes: UnsafeRawBufferPointer(start: buffer + head, count: length),
                    start: bufferOffset &+ UInt64(head),
                    end: bufferOffset &+ UInt64(newline &+ 1),
                    isTerminated: true,
                    isTooLong: false
                )
                head = newline &+ 1
                scanned = head
                return line
            }
        }
        return try nextSlowly()
    }

    /// Whole lines back to back, each with its "\n": the bytes from
    /// `position` through the last "\n" among the next `maxBytes` bytes
    /// already read; nil when those hold none (`next()` then goes on, reading
    /// more as needed). A line in them may be longer than `maxLineLength`
    /// (the buffer holds up to that much more than a block): telling those
    /// apart is the caller's, as splitting the lines is.
    ///
    /// For a caller that splits lines later, elsewhere: cutting the input into
    /// batches, which goes in file order and one thread at a time, then costs
    /// a search and a copy per block rather than per line.
    @inlinable
    public func nextLines(upTo maxBytes: Int) -> LineRun? {
        let limit = min(tail, head &+ max(0, maxBytes))
        guard limit > head, let last = Self.lastNewline(in: buffer + head, count: limit &- head) else { return nil }
        let end = head &+ last &+ 1
        let run = LineRun(bytes: UnsafeRawBufferPointer(start: buffer + head, count: end &- head),
                          start: bufferOffset &+ UInt64(head))
        head = end
        scanned = end
        return run
    }

    /// Whole lines read straight into the caller's memory: the bytes the
    /// reader holds and has not handed out (part of a line, which must hold
    /// no "\n"), moved to `destination`, then the file's next bytes read
    /// after them, up to `room` in all; the result is those bytes through the
    /// last "\n", and whatever follows it stays with the reader, as if read
    /// by it. For a caller that takes lines in pieces where it decodes them:
    /// the lines come to it with no copy of the reader's, only the part of a
    /// line at the end is copied back.
    ///
    /// Nil, with the reader as if it had read the bytes itself, when there
    /// is no whole line: the file ended (the reader now knows), or none of
    /// the bytes is a "\n" (a line longer than `room`); `next()` then goes on.
    /// Nil at once, reading nothing, when the reader holds more than
    /// `maxLineLength` bytes or `room` is more than `blockSize` (so that what
    /// comes back fits the reader's buffer) or less than what it holds plus one.
    public func readLines(into destination: UnsafeMutableRawPointer, room: Int) throws(SystemError) -> LineRun? {
        let held = tail - head
        guard !atEndOfFile, held <= maxLineLength, room <= blockSize, room > held else { return nil }
        precondition(Self.lastNewline(in: buffer + head, count: held) == nil, "the reader holds whole lines: take them first")
        let start = bufferOffset + UInt64(head)
        destination.copyMemory(from: buffer + head, byteCount: held)
        let count = try readMore(into: UnsafeMutableRawBufferPointer(start: destination + held, count: room - held))
        // The reader's buffer now starts with the bytes after the last whole
        // line (all of them, without one).
        head = 0
        if count == 0 { atEndOfFile = true }
        let total = held + count
        let whole = count == 0 ? 0 : Self.lastNewline(in: destination, count: total).map { $0 + 1 } ?? 0
        let rest = total - whole
        buffer.copyMemory(from: destination + whole, byteCount: rest)
        bufferOffset = start + UInt64(whole)
        tail = rest
        scanned = rest  // no "\n" among them
        guard whole > 0 else { return nil }
        return LineRun(bytes: UnsafeRawBufferPointer(start: destination, count: whole), start: start)
    }

    /// The index of the last "\n" among `count` bytes at `start`, if any:
    /// eight bytes at a time from the end (the last "\n" of a block is
    /// usually within a line's length of it).
    @inlinable
    static func lastNewline(in start: UnsafeRawPointer, count: Int) -> Int? {
        var end = count
        while end >= 8 {
            let word = start.loadUnaligned(fromByteOffset: end &- 8, as: UInt64.self).littleEndian
            let x = word ^ 0x0A0A_0A0A_0A0A_0A0A
            // A byte's high bit: set exactly when its byte of `x` is zero (no
            // carry crosses bytes, so there are no false matches).
            let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
            let zeros = ~((((x & low7) &+ low7) | x) | low7)
            if zeros != 0 { return end &- 8 &+ (63 &- zeros.leadingZeroBitCount) / 8 }
            end &-= 8
        }
        while end > 0 {
            end &-= 1
            if start.load(fromByteOffset: end, as: UInt8.self) == 0x0A { return end }
        }
        return nil
    }

    /// Everything but the common case: a too-long line, a refill, the end of the file.
    @usableFromInline
    func nextSlowly() throws(SystemError) -> Line? {
        while true {
            if scanned < tail, let found = memchr(buffer + scanned, 0x0A, tail - scanned) {
                let newline = buffer.distance(to: found)
                let start = bufferOffset + UInt64(head)
                let end = bufferOffset + UInt64(newline + 1)
                let length = newline - head
                let bytes = UnsafeRawBufferPointer(start: buffer + head, count: length)
                head = newline + 1
                scanned = head
                if length <= maxLineLength {
                    return Line(bytes: bytes, start: start, end: end, isTerminated: true, isTooLong: false)
                }
                return Line(bytes: UnsafeRawBufferPointer(start: nil, count: 0), start: start, end: end,
                            isTerminated: true, isTooLong: true)
            }
            scanned = tail
            if tail - head > maxLineLength {
                return try skipLongLine()
            }
            if atEndOfFile {
                guard tail > head else { return nil }
                let line = Line(
                    bytes: UnsafeRawBufferPointer(start: buffer + head, count: tail - head),
                    start: bufferOffset + UInt64(head),
                    end: bufferOffset + UInt64(tail),
                    isTerminated: false,
                    isTooLong: false
                )
                head = tail
                scanned = tail
                return line
            }
            try fill()
        }
    }

    /// The next bytes of the file, after a wait for them that `stopWaiting` can end.
    func readMore(into destination: UnsafeMutableRawBufferPointer) throws(SystemError) -> Int {
        if let stopWaiting { try file.waitUntilReadable(stop: stopWaiting) }
        return try file.read(into: destination)
    }

    /// Reads more bytes after `tail`, first sliding the unconsumed bytes (at most
    /// `maxLineLength` of them, or the line would be too long) to the front so that
    /// at least `blockSize` bytes of room are free.
    func fill() throws(SystemError) {
        if head > 0 && (head == tail || capacity - tail < blockSize) {
            let unconsumed = tail - head
            if unconsumed > 0 {
                buffer.copyMemory(from: buffer + head, byteCount: unconsumed)
            }
            bufferOffset += UInt64(head)
            scanned -= head
            tail = unconsumed
            head = 0
        }
        let room = min(blockSize, capacity - tail)
        let count = try readMore(into: UnsafeMutableRawBufferPointer(start: buffer + tail, count: room))
        if count == 0 {
            atEndOfFile = true
        } else {
            tail += count
        }
    }

    /// The buffer holds more than `maxLineLength` bytes without a "\n": drop them and
    /// keep reading whole buffers until the "\n" (or the end of the file), then report
    /// the line once. Nothing of it is kept.
    func skipLongLine() throws(SystemError) -> Line {
        let start = bufferOffset + UInt64(head)
        bufferOffset += UInt64(tail)
        head = 0
        scanned = 0
        tail = 0
        while true {
            if atEndOfFile {
                return Line(bytes: UnsafeRawBufferPointer(start: nil, count: 0), start: start, end: bufferOffset,
                            isTerminated: false, isTooLong: true)
            }
            let count = try readMore(into: UnsafeMutableRawBufferPointer(start: buffer, count: blockSize))
            if count == 0 {
                atEndOfFile = true
                continue
            }
            if let found = memchr(buffer, 0x0A, count) {
                let newline = buffer.distance(to: found)
                tail = count
                head = newline + 1
                scanned = head
                return Line(bytes: UnsafeRawBufferPointer(start: nil, count: 0), start: start,
                            end: bufferOffset + UInt64(head), isTerminated: true, isTooLong: true)
            }
            bufferOffset += UInt64(count)
        }
    }
}

extension LineReader {
    /// The line of `file` that starts at `offset`, without its "\n", read with
    /// `pread(2)` (the file position is left alone); at the end of the file,
    /// what is there. Nil when it is longer than `maxLineLength` bytes.
    ///
    /// A resumed run reads the line of a checkpointed id again, to compare ids
    /// that share a fingerprint (`LinesByOffset`, which comes here for a line
    /// longer than its window): a line is usually a few hundred bytes, so the
    /// first read, of 512, mostly holds it whole.
    public static func line(of file: FileDescriptor, at offset: UInt64, maxLineLength: Int) throws(SystemError) -> [UInt8]? {
        var line: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 512)
        var position = offset
        while true {
            var count = 0
            var failure: SystemError?
            chunk.withUnsafeMutableBytes { buffer in
                do throws(SystemError) {
                    count = try file.read(into: buffer, at: position)
                } catch {
                    failure = error
                }
            }
            if let failure { throw failure }
            let end = chunk[..<count].firstIndex(of: UInt8(ascii: "\n")) ?? count
            line.append(contentsOf: chunk[..<end])
            if line.count > maxLineLength { return nil }
            if end < count || count == 0 { return line }
            position += UInt64(count)
            if chunk.count < 64 << 10 { chunk = [UInt8](repeating: 0, count: chunk.count * 4) }
        }
    }
}

/// Reads single lines of a file by their offset, as `LineReader.line(of:at:maxLineLength:)`
/// does, keeping the last bytes it read: a resumed run that reads the lines of
/// many checkpointed ids one after another — an input that repeats a stretch
/// of itself, say a log shipped twice — finds most of them in the bytes it
/// already has, without a system call each. A line near the last one read
/// brings in 64 KiB; a lone one elsewhere, 4 KiB, so that the many lone
/// repeats of an ordinary log do not each copy a whole window.
public final class LinesByOffset: @unchecked Sendable {
    // @unchecked: used by one thread at a time (the one applying events).
    private let file: FileDescriptor
    /// Whether `file` is an open file of its own (`FileDescriptor.reopened`), to close.
    private let ownsFile: Bool
    private let maxLineLength: Int
    private let window: UnsafeMutableRawBufferPointer
    /// File offset of the window's first byte, and how many bytes it holds.
    private var windowStart: UInt64 = 0
    private var windowCount = 0
    static let windowSize = 64 << 10
    /// Bytes read for a line far from the window's.
    static let loneReadSize = 4 << 10

    /// Reads lines of `file` through an open file of its own where the
    /// system gives one (`FileDescriptor.reopened`), advised for random
    /// access: the lines read again lie anywhere before the checkpoint, and
    /// through the reader's own open file each one reset the read-ahead of
    /// the reader's sequential reads and brought in read-ahead of its own.
    /// With the input out of the page cache (after a reboot, say), a resume
    /// spent processor time on read-ahead nobody used.
    public init(file: FileDescriptor, maxLineLength: Int) {
        if let own = file.reopened() {
            own.adviseRandomAccess()
            self.file = own
            ownsFile = true
        } else {
            self.file = file
            ownsFile = false
        }
        self.maxLineLength = maxLineLength
        window = .allocate(byteCount: Self.windowSize, alignment: 64)
    }

    deinit {
        window.deallocate()
        if ownsFile { file.close() }
    }

    /// The line at `offset`, without its "\n"; nil when it is longer than the
    /// limit. A line the window does not hold whole is read into a new window
    /// starting at it (or, longer than a window, read on its own).
    public func line(at offset: UInt64) throws(SystemError) -> [UInt8]? {
        if let line = lineInWindow(at: offset) { return line }
        // A line near the window's (a repeated stretch being read line after
        // line) gets a whole window; a line elsewhere, a page: most checkpointed
        // ids read again are lone repeats, for which copying a whole window
        // from the page cache would be most of the cost.
        let nearby = offset >= windowStart && offset - windowStart < UInt64(2 * Self.windowSize)
        let size = nearby ? Self.windowSize : Self.loneReadSize
        windowStart = offset
        windowCount = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: window[..<size]), at: offset)
        if let line = lineInWindow(at: offset) { return line }
        return try LineReader.line(of: file, at: offset, maxLineLength: maxLineLength)
    }

    /// The line at `offset` when the window holds it with its "\n" and it is
    /// within the limit, else nil: `line(at:)` then reads a new window, and
    /// failing that the line on its own, which also answers for a last line
    /// without "\n" and for one over the limit.
    private func lineInWindow(at offset: UInt64) -> [UInt8]? {
        guard offset >= windowStart, offset - windowStart < UInt64(windowCount) else { return nil }
        let start = Int(offset - windowStart)
        let rest = UnsafeRawBufferPointer(rebasing: window[start..<windowCount])
        guard let end = rest.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        guard end <= maxLineLength else { return nil }
        return Array(UnsafeRawBufferPointer(rebasing: rest[..<end]))
    }
}
