/// Writes the records of one new segment into its temporary file, for the closure
/// passed to ``CheckpointStore/commit(input:metadata:replacingAll:merged:writeSegment:)``.
///
/// Records are framed and checksummed as they arrive and written in blocks of
/// 1 MiB (``BlockFileWriter``), so a segment of any size costs a bounded buffer. The CRC-32C of the whole file is kept as records arrive, for the
/// manifest's ``SegmentRef``, each payload entering it through its record's
/// checksum (``CRC32C/combine(_:_:secondCount:)``), so it is read once.
public struct SegmentWriter {
    /// The largest payload of one record (64 MiB).
    public static let maxRecordLength = CheckpointFormat.maxPayloadLength

    private let output: BlockFileWriter
    private let generation: UInt64
    private var fileChecksum: UInt32 = 0
    /// The first write error; a writer that failed once refuses everything after,
    /// so a caller that swallows an error cannot commit a file with a hole in it.
    private var failure: SystemError?

    /// Records appended so far.
    public private(set) var recordCount = 0

    /// A writer of `file`, a new and empty file, gathering in `block` (see
    /// ``BlockFileWriter``), past the page cache unless `direct` is false.
    init(file: FileDescriptor, generation: UInt64, block: BlockFileWriter.Block = .init(), direct: Bool = true) {
        output = BlockFileWriter(file: file, block: block, direct: direct)
        self.generation = generation
        var header: [UInt8] = []
        header.appendFileHeader(.segment, generation: generation)
        fileChecksum = CRC32C.checksum(header)
        header.withUnsafeBytes { stage($0) }
    }

    /// Appends one record. Throws ``CheckpointError/io(_:)`` when writing fails, or
    /// with `EFBIG` when `payload` is longer than ``maxRecordLength``.
    public mutating func append(_ payload: UnsafeRawBufferPointer) throws {
        if let failure { throw CheckpointError.io(failure) }
        guard payload.count <= Self.maxRecordLength else {
            throw CheckpointError.io(SystemError(
                operation: "append a record of \(payload.count) bytes (limit \(Self.maxRecordLength)) to",
                path: output.file.path, errno: .fileTooLarge))
        }
        // The file's checksum takes the record's own (over type and payload) by
        // combining, rather than checksumming the payload a second time.
        let recordChecksum = CheckpointFormat.recordChecksum(.data, payload)
        var header: (UInt32, UInt32) = (recordChecksum.littleEndian, UInt32(payload.count).littleEndian)
        withUnsafeBytes(of: &header) { lengthAndChecksum in
            fileChecksum = CRC32C.checksum(lengthAndChecksum, continuing: fileChecksum)
            stage(lengthAndChecksum)
        }
        fileChecksum = CRC32C.combine(fileChecksum, recordChecksum, secondCount: 1 + payload.count)
        withUnsafeBytes(of: CheckpointFormat.RecordType.data.rawValue) { stage($0) }
        stage(payload)
        if let failure { throw CheckpointError.io(failure) }
        recordCount += 1
    }

    /// Appends one record (see ``append(_:)-(UnsafeRawBufferPointer)``).
    public mutating func append(_ payload: [UInt8]) throws {
        try payload.withUnsafeBytes { try append($0) }
    }

    /// Writes the END record and everything gathered; returns the reference the
    /// manifest will hold. The file is not synced here.
    mutating func finish() throws -> SegmentRef {
        if let failure { throw CheckpointError.io(failure) }
        var end: [UInt8] = []
        end.appendLittleEndian(UInt64(recordCount))
        var record: [UInt8] = []
        record.appendRecord(.end, payload: end)
        record.withUnsafeBytes { bytes in
            fileChecksum = CRC32C.checksum(bytes, continuing: fileChecksum)
            stage(bytes)
        }
        if failure == nil {
            do throws(SystemError) { try output.finish() } catch { failure = error }
        }
        if let failure { throw CheckpointError.io(failure) }
        return SegmentRef(generation: generation, length: output.bytesWritten, checksum: fileChecksum)
    }

    /// Hands `bytes` to the output, unless a write has failed before.
    private mutating func stage(_ bytes: UnsafeRawBufferPointer) {
        guard failure == nil else { return }
        do throws(SystemError) {
            try output.append(bytes)
        } catch {
            failure = error
        }
    }
}
