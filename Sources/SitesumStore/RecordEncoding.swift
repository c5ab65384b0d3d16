/// Building the bytes of headers and records (see ``CheckpointFormat``).
extension Array where Element == UInt8 {
    mutating func appendLittleEndian(_ value: UInt32) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    mutating func appendLittleEndian(_ value: UInt64) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    /// Appends a file header: magic, version, generation.
    mutating func appendFileHeader(_ kind: CheckpointFormat.FileKind, generation: UInt64) {
        append(contentsOf: kind.magic)
        appendLittleEndian(CheckpointFormat.version)
        appendLittleEndian(generation)
    }

    /// Appends the 9-byte header of a record whose payload follows.
    mutating func appendRecordHeader(_ type: CheckpointFormat.RecordType, payload: UnsafeRawBufferPointer) {
        appendLittleEndian(CheckpointFormat.recordChecksum(type, payload))
        appendLittleEndian(UInt32(payload.count))
        append(type.rawValue)
    }

    /// Appends a whole record.
    mutating func appendRecord(_ type: CheckpointFormat.RecordType, payload: UnsafeRawBufferPointer) {
        appendRecordHeader(type, payload: payload)
        append(contentsOf: payload)
    }

    mutating func appendRecord(_ type: CheckpointFormat.RecordType, payload: [UInt8]) {
        payload.withUnsafeBytes { appendRecord(type, payload: $0) }
    }
}

extension CheckpointFormat {
    /// CRC-32C of the type byte followed by the payload.
    static func recordChecksum(_ type: RecordType, _ payload: UnsafeRawBufferPointer) -> UInt32 {
        recordChecksum(typeByte: type.rawValue, payload)
    }

    static func recordChecksum(typeByte: UInt8, _ payload: UnsafeRawBufferPointer) -> UInt32 {
        let prefix = withUnsafeBytes(of: typeByte) { CRC32C.checksum($0) }
        return CRC32C.checksum(payload, continuing: prefix)
    }
}

extension UnsafeRawBufferPointer {
    func littleEndianUInt32(at offset: Int) -> UInt32 {
        UInt32(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    func littleEndianUInt64(at offset: Int) -> UInt64 {
        UInt64(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
}
