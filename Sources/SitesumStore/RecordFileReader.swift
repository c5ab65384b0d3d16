#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a checkpoint file cannot be used: it is damaged (the reason says how), it
/// comes from another format version, or the system failed to read it.
enum FileProblem: Error {
    case damaged(String)
    case io(SystemError)

    var reason: String {
        switch self {
        case let .damaged(reason): reason
        case let .io(error): error.description
        }
    }
}

/// Reads one manifest or segment file front to back, verifying the framing of
/// ``CheckpointFormat`` as it goes and keeping the CRC-32C of every byte consumed.
///
/// Streams through a buffer that only grows to the largest record met, so verifying a
/// large segment does not load it whole. Record lengths are checked against the
/// file's size before any buffer grows, so a corrupt length cannot make it allocate.
final class RecordFileReader {
    private let file: FileDescriptor
    /// The file's size when it was opened; bytes beyond it are never asked for.
    let fileSize: UInt64
    private var buffer: UnsafeMutableRawPointer
    private var capacity: Int
    private var bufferOffset: UInt64 = 0
    private var head = 0
    private var tail = 0
    private var atEndOfFile = false
    /// CRC-32C of the bytes consumed so far.
    private(set) var fileChecksum: UInt32 = 0
    /// Records read so far, the END record excluded.
    private(set) var recordCount: UInt64 = 0

    /// Opens a manifest or segment for reading and checks it is a regular file.
    static func openForVerification(_ path: String) throws(FileProblem) -> (descriptor: FileDescriptor, size: UInt64) {
        let file: FileDescriptor
        do throws(SystemError) {
            file = try FileDescriptor.open(path, O_RDONLY)
        } catch {
            if error.errno == .noSuchFileOrDirectory { throw .damaged("missing") }
            throw .io(error)
        }
        let status: FileStatus
        do throws(SystemError) {
            status = try file.status()
        } catch {
            file.close()
            throw .io(error)
        }
        guard status.isRegularFile else {
            file.close()
            throw .damaged(status.isDirectory ? "a directory, not a regular file" : "not a regular file")
        }
        return (file, status.size)
    }

    init(file: FileDescriptor, fileSize: UInt64) {
        self.file = file
        self.fileSize = fileSize
        self.capacity = 256 << 10
        self.buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }

    deinit {
        buffer.deallocate()
    }

    /// File offset of the next unconsumed byte.
    var offset: UInt64 {
        bufferOffset + UInt64(head)
    }

    /// Makes `count` bytes available from `head`; false when the file ends first.
    private func fill(_ count: Int) throws(FileProblem) -> Bool {
        while tail - head < count {
            if atEndOfFile { return false }
            if capacity - head < count {
                let unconsumed = tail - head
                if capacity < count {
                    let larger = UnsafeMutableRawPointer.allocate(byteCount: max(count, capacity * 2), alignment: 16)
                    larger.copyMemory(from: buffer + head, byteCount: unconsumed)
                    buffer.deallocate()
                    buffer = larger
                    capacity = max(count, capacity * 2)
                } else if unconsumed > 0 {
                    buffer.copyMemory(from: buffer + head, byteCount: unconsumed)
                }
                bufferOffset += UInt64(head)
                head = 0
                tail = unconsumed
            }
            let room = UnsafeMutableRawBufferPointer(start: buffer + tail, count: capacity - tail)
            let n: Int
            do { n = try file.read(into: room) } catch { throw .io(error) }
            if n == 0 { atEndOfFile = true } else { tail += n }
        }
        return true
    }

    /// Consumes `count` bytes; the view is valid until the next call. Nil when the
    /// file ends first.
    /// `checksummed: false` leaves the bytes out of `fileChecksum`; the caller
    /// then accounts for them (see `nextRecord`).
    private func take(_ count: Int, checksummed: Bool = true) throws(FileProblem) -> UnsafeRawBufferPointer? {
        guard try fill(count) else { return nil }
        let view = UnsafeRawBufferPointer(start: buffer + head, count: count)
        if checksummed { fileChecksum = CRC32C.checksum(view, continuing: fileChecksum) }
        head += count
        return view
    }

    /// Bytes of the file (as `fstat` saw it) after `position`.
    private func remaining(after position: UInt64) -> UInt64 {
        position < fileSize ? fileSize - position : 0
    }

    /// The offset where the file's bytes run out, for "truncated at byte N".
    private var endOfData: UInt64 {
        atEndOfFile ? bufferOffset + UInt64(tail) : fileSize
    }

    /// Reads and checks the 20-byte header: magic of `kind`, `CheckpointFormat.version`, `generation`.
    func readHeader(_ kind: CheckpointFormat.FileKind, generation expected: UInt64) throws(FileProblem) {
        let size = Int(min(UInt64(CheckpointFormat.headerSize), fileSize))
        guard let header = try take(size) else {
            throw .damaged("truncated at byte \(endOfData)")
        }
        let magicBytes = min(8, header.count)
        if !header.prefix(magicBytes).elementsEqual(kind.magic.prefix(magicBytes)) {
            let other: CheckpointFormat.FileKind = kind == .manifest ? .segment : .manifest
            if header.count >= 8 && header.prefix(8).elementsEqual(other.magic) {
                throw .damaged("bad magic: this is a \(other.name), not a \(kind.name)")
            }
            throw .damaged("bad magic: not a sitesum \(kind.name)")
        }
        if header.count >= 12 {
            let version = header.littleEndianUInt32(at: 8)
            if version < CheckpointFormat.version {
                throw .damaged("format version \(version), written by an older sitesum (this one reads version \(CheckpointFormat.version))")
            }
            if version != CheckpointFormat.version {
                throw .damaged("unknown format version \(version)")
            }
        }
        guard header.count == CheckpointFormat.headerSize else {
            throw .damaged("truncated at byte \(header.count)")
        }
        let generation = header.littleEndianUInt64(at: 12)
        guard generation == expected else {
            throw .damaged("generation mismatch: the header says \(generation), expected \(expected)")
        }
    }

    /// The next record, its CRC verified; its payload is valid until the next call.
    func nextRecord() throws(FileProblem) -> (type: CheckpointFormat.RecordType, payload: UnsafeRawBufferPointer, at: UInt64) {
        let at = offset
        // The type byte (the header's last) and the payload are what the record's
        // checksum covers: they enter the file's checksum through that one, combined,
        // instead of being checksummed a second time.
        guard remaining(after: at) >= UInt64(CheckpointFormat.recordHeaderSize),
              let header = try take(CheckpointFormat.recordHeaderSize, checksummed: false)
        else {
            if at == endOfData {
                throw .damaged("truncated at byte \(at): the END record is missing")
            }
            throw .damaged("truncated at byte \(endOfData): the record at byte \(at) is incomplete")
        }
        let checksum = header.littleEndianUInt32(at: 0)
        let length = Int(header.littleEndianUInt32(at: 4))
        let typeByte = header[8]
        fileChecksum = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: header[0..<8]), continuing: fileChecksum)
        guard length <= CheckpointFormat.maxPayloadLength else {
            throw .damaged("the record at byte \(at) claims \(length) bytes, over the 64 MiB limit")
        }
        guard remaining(after: offset) >= UInt64(length), let payload = try take(length, checksummed: false) else {
            throw .damaged("truncated at byte \(endOfData): the record at byte \(at) is incomplete")
        }
        let computed = CheckpointFormat.recordChecksum(typeByte: typeByte, payload)
        guard computed == checksum else {
            throw .damaged("checksum mismatch in the record at byte \(at)")
        }
        fileChecksum = CRC32C.combine(fileChecksum, computed, secondCount: 1 + length)
        guard let type = CheckpointFormat.RecordType(rawValue: typeByte) else {
            throw .damaged("unknown record type \(typeByte) at byte \(at)")
        }
        if type != .end { recordCount += 1 }
        return (type, payload, at)
    }

    /// Checks an END record's payload and that nothing follows it.
    func finish(endPayload payload: UnsafeRawBufferPointer, at: UInt64) throws(FileProblem) {
        guard payload.count == CheckpointFormat.endPayloadSize else {
            throw .damaged("the END record at byte \(at) has \(payload.count) bytes, expected 8")
        }
        let count = payload.littleEndianUInt64(at: 0)
        guard count == recordCount else {
            throw .damaged("the END record counts \(count) records, the file has \(recordCount)")
        }
        let end = offset
        if try fill(1) {
            throw .damaged("unexpected bytes after the END record at byte \(end)")
        }
    }
}
