#if canImport(Glibc)
import Glibc
#endif

/// Lines decoded ahead of being applied: everything `LineIngestor.apply`
/// needs of each line, in bytes of the batch's own, so a worker thread
/// can decode (JSON scan, UUID parse, hashes) while another applies earlier
/// lines to the state in file order.
///
/// A batch owns its bytes (its lines, and so the site, visitor and operator
/// names and the ids that are not UUIDs) and is handed from the decoding
/// thread to the applying one whole; neither touches it while the other has
/// it. It is a class with its own buffers so that the applying thread reads
/// lines through one reference, without retaining arrays per line.
public final class DecodedBatch: @unchecked Sendable {
    // @unchecked: one thread at a time uses a batch; the hand-over (a mutex)
    // orders the writes of one before the reads of the next.
    @usableFromInline var lines: UnsafeMutablePointer<DecodedLine>
    @usableFromInline var lineCapacity: Int
    /// Number of entries: one a line, but one for a run of blank lines
    /// (`DecodedLine.lineCount`).
    public private(set) var count = 0
    /// Why each malformed line is malformed, in file order.
    @usableFromInline var reasons: [MalformedReason] = []
    /// The scanner, with its scratch memory; kept with the batch so refilling a
    /// batch allocates nothing.
    private var decoder = EventDecoder()
    /// Lines cut from the input but not decoded yet (`stage`), their bytes
    /// back to back in `staged`.
    @usableFromInline var stagedLines = RawColumn<StagedLine>()
    /// The bytes of the staged lines, kept until the batch is emptied: the
    /// decoded lines' names are ranges of them (`NameRange`). A name that is
    /// not in a staged line (its escapes decoded, or the line appended from
    /// elsewhere) is copied in after them.
    @usableFromInline var staged = ByteArena(capacity: 64 * 1024)

    public init() {
        lineCapacity = 1024
        lines = .allocate(capacity: lineCapacity)
    }

    deinit {
        lines.deallocate()
        stagedLines.deallocate()
        staged.deallocate()
    }

    /// Whether lines are staged and not decoded yet.
    public var hasStagedLines: Bool { !stagedLines.isEmpty }

    /// Copies one line out of the reader's buffer, to be decoded later by
    /// `decodeStaged` (on any thread): cutting the input into batches must go
    /// in file order, one thread at a time, but decoding them need not.
    /// Arguments as for `append`.
    public func stage(_ line: UnsafeRawBufferPointer, start: UInt64, end: UInt64, isTerminated: Bool) {
        let bytes = staged.append(line)
        stagedLines.append(StagedLine(kind: .line, start: start, end: end, isTerminated: isTerminated,
                                      bytes: bytes, length: UInt64(line.count)))
    }

    /// Copies whole lines out of the reader's buffer in one piece, each with
    /// its "\n" (the last byte of `lines` is one), the first starting at
    /// input offset `start`: `decodeStaged` splits them, so the cutting,
    /// which goes one thread at a time, costs a copy per piece rather than a
    /// search and a copy per line. A line longer than the limit `decodeStaged`
    /// is given counts as too long, as `stageTooLong` would have it.
    /// Inlinable: the cutting loop (in the command line's module) calls it.
    @inlinable
    public func stageLines(_ lines: UnsafeRawBufferPointer, start: UInt64) {
        let room = stagingRoom(lines.count)
        if let source = lines.baseAddress { room.copyMemory(from: source, byteCount: lines.count) }
        stageLinesInPlace(count: lines.count, start: start)
    }

    /// Room for `count` more bytes after the staged ones, for lines to be
    /// read straight into the batch (`LineReader.readLines`) and then staged
    /// where they are (`stageLinesInPlace`). Valid until the batch stages or
    /// decodes anything else.
    @inlinable
    public func stagingRoom(_ count: Int) -> UnsafeMutableRawPointer {
        if staged.count + count > staged.capacity { staged.grow(toHold: count) }
        return staged.base + staged.count
    }

    /// Stages, as `stageLines` does, the `count` bytes of whole lines just put
    /// at `stagingRoom`, the first line starting at input offset `start`.
    @inlinable
    public func stageLinesInPlace(count: Int, start: UInt64) {
        precondition(count > 0 && staged.count + count <= staged.capacity
                     && staged.base.load(fromByteOffset: staged.count + count - 1, as: UInt8.self) == 0x0A,
                     "staged lines end with a newline")
        stagedLines.append(StagedLine(kind: .lines, start: start, end: start + UInt64(count), isTerminated: true,
                                      bytes: staged.count, length: UInt64(count)))
        staged.count += count
    }

    /// Stages a line that was longer than `limit` bytes (see `appendTooLong`).
    public func stageTooLong(start: UInt64, end: UInt64, isTerminated: Bool, length: UInt64) {
        stagedLines.append(StagedLine(kind: .tooLong, start: start, end: end, isTerminated: isTerminated,
                                      bytes: 0, length: length))
    }

    /// Decodes the staged lines, in order, as `append` and `appendTooLong`
    /// would have, and forgets them (their bytes stay until `removeAll`).
    /// With the ids of a loaded checkpoint (`ActivityState.checkpointedIDs`),
    /// also marks the lines whose UUID id cannot be one of them
    /// (`DecodedLine.mayBeCheckpointed`).
    public func decodeStaged(limit: Int, checkpointed: CheckpointedIDs? = nil) {
        let first = count
        for line in stagedLines {
            switch line.kind {
            case .line:
                append(staged.bytes(at: line.bytes, count: Int(line.length)),
                       start: line.start, end: line.end, isTerminated: line.isTerminated)
            case .tooLong:
                appendTooLong(start: line.start, end: line.end, isTerminated: line.isTerminated,
                              length: line.length, limit: limit)
            case .lines:
                splitAndAppend(bytes: line.bytes, count: Int(line.length), start: line.start, limit: limit)
            }
        }
        stagedLines.removeAll()
        if let checkpointed { markCheckpointCandidates(first..<count, checkpointed) }
    }

    /// Looks the ids of lines `range` up among `checkpointed`'s, each
    /// while the slots of the id `checkpointPrefetchDistance` lines later are
    /// prefetched (`CheckpointedIDs.prefetch`): that many misses in flight at
    /// once, and each id's slots in cache by the time it is looked up.
    private func markCheckpointCandidates(_ range: Range<Int>, _ checkpointed: CheckpointedIDs) {
        let distance = Self.checkpointPrefetchDistance
        for index in range.prefix(distance) where lines[index].isEvent {
            checkpointed.prefetch(lines[index].fingerprint)
        }
        for index in range {
            let later = index &+ distance
            if later < range.upperBound && lines[later].isEvent { checkpointed.prefetch(lines[later].fingerprint) }
            if lines[index].isEvent {
                lines[index].mayBeCheckpointed = checkpointed.mayHold(lines[index].fingerprint)
            }
        }
    }

    /// How many lines ahead `markCheckpointCandidates` prefetches. Not the
    /// whole batch: prefetching the slots of all of its few hundred ids
    /// before looking the first up made each lookup slower, on the machine
    /// sitesum is measured on, than keeping this many in flight (presumably
    /// because a processor tracks only a few dozen misses at once, so most
    /// of a whole batch's prefetches did not help). Distances from 8 to 64
    /// lines did about equally well there, in a build instrumented to time
    /// the lookups alone (not kept).
    static let checkpointPrefetchDistance = 16

    /// Splits the lines staged whole at `bytes` in `staged` (`stageLines`) and
    /// appends each, as `stage` and `stageTooLong` would have staged them.
    /// The arena's address is taken again for every line: appending one may
    /// copy a name into the arena, which moves it when it grows.
    /// A line in the plain form is read against the template first, which
    /// finds the line's end on the way; any other line's end is searched for,
    /// and the line decoded the general way (`append`).
    private func splitAndAppend(bytes: Int, count: Int, start: UInt64, limit: Int) {
        var offset = 0
        while offset < count {
            let rest = staged.bytes(at: bytes + offset, count: count - offset)
            let lineStart = start + UInt64(offset)
            if let (event, length) = decoder.plainEvent(startOf: rest), length <= limit {
                var entry = DecodedLine(start: lineStart, end: lineStart + UInt64(length) + 1, isTerminated: true)
                keep(event, in: &entry)
                add(entry)
                offset += length + 1
                continue
            }
            guard let newline = memchr(rest.baseAddress!, 0x0A, rest.count) else {
                preconditionFailure("staged lines end with a newline")
            }
            let length = rest.baseAddress!.distance(to: UnsafeRawPointer(newline))
            let lineEnd = lineStart + UInt64(length) + 1
            if length > limit {
                appendTooLong(start: lineStart, end: lineEnd, isTerminated: true, length: UInt64(length), limit: limit)
            } else {
                // The template was tried on these bytes, unless a byte-order
                // mark at the input's start is to be left out of them.
                append(UnsafeRawBufferPointer(rebasing: rest[..<length]), start: lineStart, end: lineEnd, isTerminated: true,
                       templateTried: lineStart != 0)
            }
            offset += length + 1
        }
    }

    /// What was cut from the input and not decoded yet: a line, a line too
    /// long to keep, or whole lines in one piece (`stageLines`).
    @usableFromInline
    struct StagedLine: BitwiseCopyable {
        @usableFromInline enum Kind: UInt8, BitwiseCopyable { case line, tooLong, lines }
        @usableFromInline var kind: Kind
        @usableFromInline var start: UInt64
        @usableFromInline var end: UInt64
        @usableFromInline var isTerminated: Bool
        /// Where its bytes start in `staged`.
        @usableFromInline var bytes: Int
        /// Its length without "\n" (a piece of lines: its length, "\n"s included).
        @usableFromInline var length: UInt64

        @inlinable
        init(kind: Kind, start: UInt64, end: UInt64, isTerminated: Bool, bytes: Int, length: UInt64) {
            self.kind = kind
            self.start = start
            self.end = end
            self.isTerminated = isTerminated
            self.bytes = bytes
            self.length = length
        }
    }

    /// Line `index`, in file order.
    @inlinable
    public subscript(index: Int) -> DecodedLine {
        precondition(index >= 0 && index < count, "line index out of range")
        return lines[index]
    }

    /// Why line `index`, a malformed one, is malformed.
    public func malformedReason(at index: Int) -> MalformedReason {
        precondition(index >= 0 && index < count && lines[index].outcome == .malformed, "not a malformed line")
        return reasons[lines[index].reason]
    }

    /// Empties the batch, keeping its memory.
    public func removeAll() {
        count = 0
        reasons.removeAll(keepingCapacity: true)
        stagedLines.removeAll()
        staged.removeAll()
    }

    /// Decodes one line and adds it. `line` excludes its "\n"; `start` is where
    /// its first byte sits in the input, `end` just past its "\n" (or its last
    /// byte when `isTerminated` is false).
    public func append(_ line: UnsafeRawBufferPointer, start: UInt64, end: UInt64, isTerminated: Bool) {
        append(line, start: start, end: end, isTerminated: isTerminated, templateTried: false)
    }

    /// `append`, leaving out the template when the caller already read the
    /// line against it and it did not fit.
    private func append(_ line: UnsafeRawBufferPointer, start: UInt64, end: UInt64, isTerminated: Bool, templateTried: Bool) {
        var entry = DecodedLine(start: start, end: end, isTerminated: isTerminated)
        let bytes = Self.eventBytes(line, start: start)
        // Most lines fit the template: their event is kept without the
        // general result (`DecodeResult`) being made and taken apart.
        if !templateTried, let event = decoder.plainEvent(bytes) {
            keep(event, in: &entry)
        } else {
            switch decoder.decode(bytes, templateTried: true) {
            case .blank:
                // A run of blank lines is one entry: a stretch of them
                // (a log padded with empty lines) would otherwise take an
                // entry of more than a hundred bytes per byte or two of input.
                if isTerminated, count > 0 {
                    let last = lines + (count - 1)
                    if last.pointee.outcome == .blank, last.pointee.isTerminated, last.pointee.end == start,
                       last.pointee.lineCount < UInt32.max {
                        last.pointee.end = end
                        last.pointee.lineCount += 1
                        return
                    }
                }
                entry.outcome = .blank
            case .malformed(let reason):
                entry.outcome = .malformed
                entry.reason = reasons.count
                reasons.append(reason)
            case .event(let event):
                keep(event, in: &entry)
            }
        }
        add(entry)
    }

    /// Fills `entry` with what applying `event` needs: its kind, time,
    /// hashes, the id (as 128 bits, or its bytes) and where its names are.
    @inline(__always)
    private func keep(_ event: RawEvent, in entry: inout DecodedLine) {
        entry.outcome = DecodedLine.Outcome(event.kind)
        entry.timestamp = event.timestamp
        entry.siteHash = ByteHash.hash(event.site)
        entry.fromHash = ByteHash.hash(event.from)
        let key = event.uuidKey
        if let key {
            entry.uuid = key
            entry.idHash = key.hash64
        } else {
            entry.idHash = ByteHash.hash(event.id)
        }
        // The names in the line first: copying one that is not moves
        // `staged` when it grows, and the line's views with it.
        let site = staged.range(of: event.site), from = staged.range(of: event.from)
        let id = key == nil ? staged.range(of: event.id) : nil
        entry.site = site ?? store(event.site)
        entry.from = from ?? store(event.from)
        if key == nil { entry.id = id ?? store(event.id) }
    }

    /// The bytes of the line starting at input offset `start` that hold its
    /// event: all of them, but a byte-order mark at the very start of the input.
    static func eventBytes(_ line: UnsafeRawBufferPointer, start: UInt64) -> UnsafeRawBufferPointer {
        if start == 0, line.count >= 3, line[0] == 0xEF, line[1] == 0xBB, line[2] == 0xBF {
            return UnsafeRawBufferPointer(rebasing: line[3...])
        }
        return line
    }

    /// Adds a line that was longer than `limit` bytes (`length`, without "\n"),
    /// whose bytes were never read into memory.
    public func appendTooLong(start: UInt64, end: UInt64, isTerminated: Bool, length: UInt64, limit: Int) {
        var entry = DecodedLine(start: start, end: end, isTerminated: isTerminated)
        entry.outcome = .malformed
        entry.reason = reasons.count
        reasons.append(MalformedReason(
            column: 0,
            message: "line is \(length) bytes long, over the limit of \(limit) (see --max-line-length)"))
        add(entry)
    }

    @inline(__always)
    private func add(_ entry: DecodedLine) {
        if count == lineCapacity {
            let grown = UnsafeMutablePointer<DecodedLine>.allocate(capacity: lineCapacity * 2)
            grown.moveInitialize(from: lines, count: count)
            lines.deallocate()
            lines = grown
            lineCapacity *= 2
        }
        (lines + count).initialize(to: entry)
        count += 1
    }

    /// Copies a name that is not in a staged line into `staged`.
    private func store(_ bytes: UnsafeRawBufferPointer) -> NameRange {
        NameRange(start: UInt32(staged.append(bytes)), count: UInt32(bytes.count))
    }

    /// The bytes of `range`, valid until the batch is emptied.
    @inlinable
    func name(_ range: NameRange) -> UnsafeRawBufferPointer {
        staged.bytes(at: Int(range.start), count: Int(range.count))
    }
}

/// Byte strings appended back to back into one buffer that doubles when full
/// (a batch's names, its staged lines). Its owner frees it (`deallocate`).
@usableFromInline
struct ByteArena {
    @usableFromInline var base: UnsafeMutableRawPointer
    @usableFromInline var capacity: Int
    @usableFromInline var count = 0

    init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(byteCount: capacity, alignment: 16)
    }

    /// Copies `bytes` in; returns where they start.
    @inlinable @inline(__always)
    mutating func append(_ bytes: UnsafeRawBufferPointer) -> Int {
        if count + bytes.count > capacity { grow(toHold: bytes.count) }
        if let source = bytes.baseAddress { (base + count).copyMemory(from: source, byteCount: bytes.count) }
        defer { count += bytes.count }
        return count
    }

    /// Doubles the room, or more to hold `more` bytes beyond the ones held;
    /// out of line, so `append` stays small.
    @usableFromInline @inline(never)
    mutating func grow(toHold more: Int) {
        let grownCapacity = max(capacity * 2, count + more)
        let grown = UnsafeMutableRawPointer.allocate(byteCount: grownCapacity, alignment: 16)
        grown.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = grown
        capacity = grownCapacity
    }

    /// Where `bytes` sits in the arena; nil when it is not (all) in it.
    @inline(__always)
    func range(of bytes: UnsafeRawBufferPointer) -> NameRange? {
        guard let start = bytes.baseAddress, start >= UnsafeRawPointer(base),
              start + bytes.count <= UnsafeRawPointer(base + count) else { return nil }
        return NameRange(start: UInt32(start - UnsafeRawPointer(base)), count: UInt32(bytes.count))
    }

    /// `count` bytes from `start`, valid until the arena is emptied or grows.
    @inlinable
    func bytes(at start: Int, count: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + start, count: count)
    }

    /// Empties the arena, keeping its memory.
    mutating func removeAll() { count = 0 }

    func deallocate() { base.deallocate() }
}

/// Where a name sits in a batch's bytes (`DecodedBatch.staged`).
public struct NameRange: Sendable {
    @usableFromInline var start: UInt32
    @usableFromInline var count: UInt32
    @inlinable init(start: UInt32, count: UInt32) {
        self.start = start
        self.count = count
    }
}

/// One decoded line of a `DecodedBatch`.
public struct DecodedLine: Sendable {
    /// What the line is; events carry their kind.
    public enum Outcome: UInt8, Sendable {
        case blank, message, offline, online, malformed

        @inlinable init(_ kind: EventKind) {
            switch kind {
            case .message: self = .message
            case .offline: self = .offline
            case .online: self = .online
            }
        }

        @inlinable var kind: EventKind {
            switch self {
            case .offline: .offline
            case .online: .online
            default: .message
            }
        }
    }

    /// File offset of the line's first byte.
    public var start: UInt64
    /// File offset just past the line's "\n" (or its last byte when unterminated).
    public var end: UInt64
    /// False only for a last line without "\n".
    public var isTerminated: Bool
    public var outcome: Outcome = .blank
    /// The lines the entry stands for: 1, or for a run of blank lines
    /// (`outcome` `.blank`, from `start` to `end`) how many there are.
    public var lineCount: UInt32 = 1
    @usableFromInline var timestamp: Int64 = 0
    /// The id as 128 bits when it is a canonical UUID (then `id` is nil).
    @usableFromInline var uuid = UUIDKey.zero
    /// The id's bytes in the batch when it is not a UUID.
    @usableFromInline var id: NameRange?
    @usableFromInline var idHash: UInt64 = 0
    @usableFromInline var site = NameRange(start: 0, count: 0)
    @usableFromInline var siteHash: UInt64 = 0
    @usableFromInline var from = NameRange(start: 0, count: 0)
    @usableFromInline var fromHash: UInt64 = 0
    /// For a malformed line, its index in the batch's `reasons`.
    @usableFromInline var reason = 0
    /// False when the decoding thread found that the id cannot be one of
    /// a loaded checkpoint's (`DecodedBatch.decodeStaged`); true when it may
    /// be, or was not looked up.
    @usableFromInline var mayBeCheckpointed = true

    /// Whether the line is an event whose id is a UUID (in `uuid`).
    @inlinable var hasUUID: Bool { isEvent && id == nil }
    /// Whether the line is a valid event (and so has an id, a UUID or another).
    @inlinable var isEvent: Bool { outcome != .blank && outcome != .malformed }

    /// The id's fingerprint (`ActivityState.fingerprint(ofID:)`), taken from
    /// the hash decoding computed (`idHash`) instead of hashing the id again.
    @inlinable var fingerprint: UInt32 { CheckpointedIDs.fingerprint(ofHash: idHash) }

    @inlinable
    init(start: UInt64, end: UInt64, isTerminated: Bool) {
        self.start = start
        self.end = end
        self.isTerminated = isTerminated
    }
}
