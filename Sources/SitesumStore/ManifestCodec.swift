/// Manifest ⇄ bytes, in the layout of ``CheckpointFormat``:
/// `header, INPUT, METADATA, SEGMENT*, END`.
enum ManifestCodec {
    static func encode(_ manifest: Manifest) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(128 + manifest.metadata.count + 29 * manifest.segments.count)
        bytes.appendFileHeader(.manifest, generation: manifest.generation)

        var input: [UInt8] = []
        input.appendLittleEndian(manifest.input.device)
        input.appendLittleEndian(manifest.input.inode)
        input.appendLittleEndian(manifest.input.offset)
        input.appendLittleEndian(manifest.input.fingerprint)
        bytes.appendRecord(.input, payload: input)

        bytes.appendRecord(.metadata, payload: manifest.metadata)

        for segment in manifest.segments {
            var ref: [UInt8] = []
            ref.appendLittleEndian(segment.generation)
            ref.appendLittleEndian(segment.length)
            ref.appendLittleEndian(segment.checksum)
            bytes.appendRecord(.segment, payload: ref)
        }

        var end: [UInt8] = []
        end.appendLittleEndian(UInt64(2 + manifest.segments.count))
        bytes.appendRecord(.end, payload: end)
        return bytes
    }

    /// Reads and verifies a whole manifest whose file name says `generation`.
    static func decode(_ reader: RecordFileReader, generation: UInt64) throws(FileProblem) -> Manifest {
        try reader.readHeader(.manifest, generation: generation)

        let input = try expect(.input, from: reader, size: CheckpointFormat.inputPayloadSize)
        let identity = InputIdentity(
            device: input.payload.littleEndianUInt64(at: 0),
            inode: input.payload.littleEndianUInt64(at: 8),
            offset: input.payload.littleEndianUInt64(at: 16),
            fingerprint: input.payload.littleEndianUInt64(at: 24)
        )
        let metadata = Array(try expect(.metadata, from: reader, size: nil).payload)

        var segments: [SegmentRef] = []
        while true {
            let record = try reader.nextRecord()
            switch record.type {
            case .segment:
                try check(record, size: CheckpointFormat.segmentRefPayloadSize)
                segments.append(SegmentRef(
                    generation: record.payload.littleEndianUInt64(at: 0),
                    length: record.payload.littleEndianUInt64(at: 8),
                    checksum: record.payload.littleEndianUInt32(at: 16)
                ))
            case .end:
                try reader.finish(endPayload: record.payload, at: record.at)
                return Manifest(generation: generation, input: identity, metadata: metadata, segments: segments)
            default:
                throw .damaged("unexpected \(record.type.name) record at byte \(record.at)")
            }
        }
    }

    private static func expect(
        _ type: CheckpointFormat.RecordType, from reader: RecordFileReader, size: Int?
    ) throws(FileProblem) -> (type: CheckpointFormat.RecordType, payload: UnsafeRawBufferPointer, at: UInt64) {
        let record = try reader.nextRecord()
        guard record.type == type else {
            throw .damaged("expected an \(type.name) record at byte \(record.at), found \(record.type.name)")
        }
        if let size { try check(record, size: size) }
        return record
    }

    private static func check(
        _ record: (type: CheckpointFormat.RecordType, payload: UnsafeRawBufferPointer, at: UInt64), size: Int
    ) throws(FileProblem) {
        guard record.payload.count == size else {
            throw .damaged("the \(record.type.name) record at byte \(record.at) has \(record.payload.count) bytes, expected \(size)")
        }
    }
}
