/// Appends little-endian integers and length-prefixed bytes to a buffer: the
/// encoding of checkpoint records and metadata.
public struct ByteWriter {
    /// What has been written so far.
    public var bytes: [UInt8] = []

    public init(reservingCapacity capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    @inlinable
    public mutating func write<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends `values` as consecutive little-endian integers, in one copy on
    /// a little-endian machine (a checkpoint's columns are millions long).
    @inlinable
    public mutating func write<T: FixedWidthInteger>(contentsOf values: UnsafeBufferPointer<T>) {
        #if _endian(little)
        bytes.append(contentsOf: UnsafeRawBufferPointer(values))
        #else
        for value in values { write(value) }
        #endif
    }

    /// LEB128: small lengths take one byte (appended as it is; longer ones
    /// are stored by `storeVarint`, the deltas' encoder).
    @inlinable
    public mutating func writeVarint(_ value: UInt64) {
        if value < 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value))
        } else {
            appendInPlace(upTo: 10) { Self.storeVarint(value, at: $0) }
        }
    }

    @inlinable
    public mutating func writeBytes<C: Collection<UInt8>>(_ value: C) {
        writeVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    @inlinable
    public mutating func writeString(_ value: String) {
        writeBytes(Array(value.utf8))
    }
}

/// Why bytes could not be read back: only for damage the checksums missed or
/// for a writer bug, since every record is checksummed before it is read.
public struct DecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Reads what `ByteWriter` wrote, checking every bound. It views bytes it does
/// not own: use it only while they are alive.
public struct ByteReader {
    @usableFromInline let buffer: UnsafeRawBufferPointer
    /// Bytes consumed so far.
    public private(set) var position = 0

    public init(_ buffer: UnsafeRawBufferPointer) {
        self.buffer = buffer
    }

    /// True when every byte has been read.
    public var isAtEnd: Bool { position == buffer.count }

    /// Bytes not read yet.
    public var remaining: Int { buffer.count - position }

    public mutating func read<T: FixedWidthInteger>(_: T.Type = T.self) throws(DecodingError) -> T {
        let size = MemoryLayout<T>.size
        guard buffer.count - position >= size else { throw DecodingError("record ends early") }
        let value = buffer.loadUnaligned(fromByteOffset: position, as: T.self)
        position += size
        return T(littleEndian: value)
    }

    public mutating func readVarint() throws(DecodingError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte: UInt8 = try read()
            guard shift < 64 else { throw DecodingError("varint too long") }
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }

    /// The next length-prefixed bytes, as a view valid as long as the buffer.
    public mutating func readBytes() throws(DecodingError) -> UnsafeRawBufferPointer {
        try readBytes(count: try readVarint())
    }

    /// The next `count` bytes, as a view valid as long as the buffer.
    public mutating func readBytes(count length: UInt64) throws(DecodingError) -> UnsafeRawBufferPointer {
        guard length <= UInt64(buffer.count - position) else { throw DecodingError("record ends early") }
        let view = UnsafeRawBufferPointer(rebasing: buffer[position..<(position + Int(length))])
        position += Int(length)
        return view
    }

    /// Moves past `count` bytes.
    public mutating func skip(_ count: Int) throws(DecodingError) {
        guard count >= 0, count <= buffer.count - position else { throw DecodingError("record ends early") }
        position += count
    }

    public mutating func readString() throws(DecodingError) -> String {
        String(decoding: try readBytes(), as: UTF8.self)
    }
}
