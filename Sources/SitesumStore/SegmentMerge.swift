#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A compaction in progress: the records of consecutive segments of the chain
/// copied, in order and verified again, into one new segment, a step at a time.
///
/// Made by ``CheckpointStore/beginMerge(newest:)``, advanced by
/// ``CheckpointStore/continueMerge(_:bytes:)`` between commits, so commits go on
/// while it runs; once it has a ``result``, the next commit given it lists the
/// new segment in place of its ``sources``. Until then no manifest names the new
/// segment, so a crash at any moment of a merge leaves only a file that the
/// next run removes.
public final class SegmentMerge {
    /// The segments merged, oldest first: consecutive in the chain they came from.
    public let sources: [SegmentRef]
    /// The new segment, once it is written, synced and has its name.
    public internal(set) var result: SegmentRef?
    /// A commit lists the new segment: it belongs to the chain now.
    public internal(set) var isCommitted = false

    let generation: UInt64
    let finalPath: String
    var temporaryPath: String { finalPath + CheckpointFormat.temporarySuffix }
    var file: FileDescriptor?
    var writer: SegmentWriter?
    /// Index in `sources` of the segment being read (`scan`), or to be opened next.
    var next = 0
    var scan: SegmentScan?
    /// Bytes written since writeback was last started.
    var unsynced = 0

    init(sources: [SegmentRef], generation: UInt64, finalPath: String, file: FileDescriptor) {
        self.sources = sources
        self.generation = generation
        self.finalPath = finalPath
        self.file = file
        writer = SegmentWriter(file: file, generation: generation)
    }

    deinit {
        scan = nil
        file?.close()
    }
}

/// Reads one segment's DATA payloads in order, verifying it against the
/// manifest's reference as it goes: each payload once its record checksum
/// verified; the END record, nothing after it, and the whole file's CRC-32C
/// when the last payload has been handed over.
final class SegmentScan {
    private let file: FileDescriptor
    private let reader: RecordFileReader
    private let segment: SegmentRef

    init(path: String, segment: SegmentRef) throws(FileProblem) {
        let opened = try RecordFileReader.openForVerification(path)
        file = opened.descriptor
        self.segment = segment
        reader = RecordFileReader(file: file, fileSize: opened.size)
        // Every property is set: on a throw from here, deinit closes the file.
        if opened.size < segment.length {
            throw .damaged("truncated at byte \(opened.size) (the manifest expects \(segment.length) bytes)")
        }
        if opened.size > segment.length {
            throw .damaged("length mismatch: the file has \(opened.size) bytes, the manifest expects \(segment.length)")
        }
        try reader.readHeader(.segment, generation: segment.generation)
    }

    deinit {
        file.close()
    }

    /// The next DATA payload, valid until the next call; nil once the segment
    /// ended and every whole-file check passed.
    func next() throws(FileProblem) -> UnsafeRawBufferPointer? {
        let record = try reader.nextRecord()
        switch record.type {
        case .data:
            return record.payload
        case .end:
            try reader.finish(endPayload: record.payload, at: record.at)
            guard reader.fileChecksum == segment.checksum else {
                throw .damaged(
                    "checksum mismatch: the file's CRC32C is \(Self.hex32(reader.fileChecksum)), "
                        + "the manifest expects \(Self.hex32(segment.checksum))")
            }
            return nil
        default:
            throw .damaged("unexpected \(record.type.name) record at byte \(record.at)")
        }
    }

    private static func hex32(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }
}
