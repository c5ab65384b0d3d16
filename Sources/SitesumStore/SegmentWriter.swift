/// Writes the records of one new segment into its temporary file, for the closure
/// passed to ``CheckpointStore/commit(input:metadata:replacingAll:merged:writeSegment:)``.
///
/// Records are framed and checksummed as they arrive and written in blocks of about
/// 1 MiB, so a segment of any size costs a bounded buffer; large payloads go straight
/// to the file. The CRC-32C of the whole file is kept as records arrive, for the
/// manifest's ``SegmentRef``, each payload entering it through its record's
/// checksum (``CRC32C/combine(_:_:secondCount:)``), so it is read once.
public struct SegmentWriter {
    /// The largest payload of one record (64 MiB).
    public static let maxRecordLength = CheckpointFormat.maxPayloadLength

    private static let flushThreshold = 1 << 20

    private let file: FileDescriptor
    private let generation: UInt64
    private var buffer: [UInt8] = []
    private var fileChecksum: UInt32 = 0
    private var bytesWritten: UInt64 = 0
    /// The first write error; a writer that failed once refuses everything after,
    /// so a caller that swallows an error cannot commit a file with a hole in it.
    private var failure: SystemError?

    /// Records appended so far.
    public private(set) var recordCount = 0

    init(file: FileDescriptor, generation: UInt64) {
        self.file = file
        self.generation = generation
        buffer.reserveCapacity(Self.flushThreshold + 64 * 1024)
        buffer.appendFileHeader(.segment, generation: generation)
        fileChecksum = CRC32C.checksum(buffer)
    }

    /// Appends one record. Throws ``CheckpointError/io(_:)`` when writing fails, or
    /// with `EFBIG` when `payload` is longer than ``maxRecordLength``.
    public mutating func append(_ payload: UnsafeRawBufferPointer) throws {
        if let failure { throw CheckpointError.io(failure) }
        guard payload.count <= Self.maxRecordLength else {
            throw CheckpointError.io(SystemError(
                operation: "append a record of \(payload.count) bytes (limit \(Self.maxRecordLength)) to",
                path: file.path, errno: .fileTooLarge))
        }
        // The file's checksum takes the record's own (over type and payload) by
        // combining, rather than checksumming the payload a second time.
        let recordChecksum = CheckpointFormat.recordChecksum(.data, payload)
        let headerStart = buffer.count
        buffer.appendLittleEndian(recordChecksum)
        buffer.appendLittleEndian(UInt32(payload.count))
        fileChecksum = buffer.withUnsafeBytes {
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[headerStart...]), continuing: fileChecksum)
        }
        fileChecksum = CRC32C.combine(fileChecksum, recordChecksum, secondCount: 1 + payload.count)
        buffer.append(CheckpointFormat.RecordType.data.rawValue)
        if payload.count >= Self.flushThreshold / 2 {
            try flush()
            try write(payload)
        } else {
            buffer.append(contentsOf: payload)
            if buffer.count >= Self.flushThreshold { try flush() }
        }
        recordCount += 1
    }

    /// Appends one record (see ``append(_:)-(UnsafeRawBufferPointer)``).
    public mutating func append(_ payload: [UInt8]) throws {
        try payload.withUnsafeBytes { try append($0) }
    }

    /// Writes the END record and everything buffered; returns the reference the
    /// manifest will hold. The file is not synced here.
    mutating func finish() throws -> SegmentRef {
        if let failure { throw CheckpointError.io(failure) }
        var end: [UInt8] = []
        end.appendLittleEndian(UInt64(recordCount))
        let endStart = buffer.count
        buffer.appendRecord(.end, payload: end)
        fileChecksum = buffer.withUnsafeBytes {
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[endStart...]), continuing: fileChecksum)
        }
        try flush()
        return SegmentRef(generation: generation, length: bytesWritten, checksum: fileChecksum)
    }

    private mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        let file = self.file
        var writeError: SystemError?
        buffer.withUnsafeBytes { raw in
            do throws(SystemError) {
                try file.writeAll(raw)
            } catch {
                writeError = error
            }
        }
        if let writeError {
            failure = writeError
            throw CheckpointError.io(writeError)
        }
        bytesWritten += UInt64(buffer.count)
        buffer.removeAll(keepingCapacity: true)
    }

    private mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        do throws(SystemError) {
            try file.writeAll(bytes)
        } catch {
            failure = error
            throw CheckpointError.io(error)
        }
        bytesWritten += UInt64(bytes.count)
    }
}
