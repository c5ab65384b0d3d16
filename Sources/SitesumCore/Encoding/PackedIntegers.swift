/// Compact encodings of integer columns for checkpoint records (this file's
/// `ByteWriter` and `ByteReader` methods).
///
/// A checkpoint is written while both cores are busy reading, and every byte
/// of it costs the run time (on the virtual machines sitesum is measured on,
/// writing the bytes costs more than computing them), so the columns that
/// make up most of a checkpoint are stored in fewer bytes than their memory
/// form:
///
/// - **Frame of reference** (`writePacked` / `readPacked`): a run of Int64
///   values as their minimum (i64), a bit width (u8: the bits of
///   maximum − minimum), then each value minus the minimum in exactly that
///   many bits, least significant bit first, back to back, in
///   ⌈count × width / 8⌉ bytes. Timestamps of a day's log need 17 bits, not 64.
///   All values equal: width 0, no bytes.
/// - **Deltas** (`writeDeltas` / `readDeltas`): a run of UInt64 values in about
///   increasing order (file offsets, in file order) as the first value (u64)
///   and then, for each next value, the difference from the one before as a
///   zigzag LEB128 varint: a line's length (two bytes), not eight. Any order
///   is encoded correctly; decreasing steps only cost more bytes.
/// Frame-of-reference packing of Int64 values in raw memory: what
/// `ByteWriter.writePacked` writes and `ByteReader.readPacked` reads, and the
/// in-memory form of a site's message timestamps (`PackedColumn`).
enum FrameOfReference {
    /// The minimum and the bit width of `values`, and the bytes they pack
    /// into: 9 for the minimum and the width, then ⌈count × width / 8⌉.
    static func measure(_ values: UnsafeBufferPointer<Int64>) -> (minimum: Int64, width: Int, byteCount: Int) {
        guard let first = values.first else { return (0, 0, 0) }
        var minimum = first, maximum = first
        for value in values {
            minimum = Swift.min(minimum, value)
            maximum = Swift.max(maximum, value)
        }
        let width = UInt64.bitWidth - UInt64(bitPattern: maximum &- minimum).leadingZeroBitCount
        return (minimum, width, 9 + (values.count * width + 7) / 8)
    }

    /// Writes `values` packed (as `measure` measured them) at `out`, which
    /// must have room for `byteCount` + 8 bytes (whole words are stored; the
    /// bytes past `byteCount` are left over).
    static func pack(_ values: UnsafeBufferPointer<Int64>, minimum: Int64, width: Int, into out: UnsafeMutableRawPointer) {
        out.storeBytes(of: minimum.littleEndian, toByteOffset: 0, as: Int64.self)
        out.storeBytes(of: UInt8(width), toByteOffset: 8, as: UInt8.self)
        guard width > 0 else { return }
        let bits = out + 9
        var word: UInt64 = 0
        var filled = 0
        var position = 0
        for value in values {
            let delta = UInt64(bitPattern: value &- minimum)
            word |= delta << UInt64(filled)
            filled += width
            if filled >= 64 {
                bits.storeBytes(of: word.littleEndian, toByteOffset: position, as: UInt64.self)
                position += 8
                filled -= 64
                // The bits of `delta` that did not fit in the word just stored.
                word = filled == 0 ? 0 : delta >> UInt64(width - filled)
            }
        }
        if filled > 0 {
            bits.storeBytes(of: word.littleEndian, toByteOffset: position, as: UInt64.self)
        }
    }

    /// The bytes of packed bits of `count` values of `width` bits (without
    /// the 9 of the minimum and the width); nil when it overflows.
    static func bitBytes(count: Int, width: Int) -> Int? {
        let (bits, overflow) = count.multipliedReportingOverflow(by: width)
        return overflow ? nil : (bits + 7) / 8
    }

    /// Unpacks `values.count` values of `width` bits from `packed` (the bits
    /// alone, exactly `bitBytes` long), adding `minimum`.
    static func unpack(_ packed: UnsafeRawBufferPointer, minimum: Int64, width: Int, into values: UnsafeMutableBufferPointer<Int64>) {
        let count = values.count
        guard width > 0 else {
            values.update(repeating: minimum)
            return
        }
        let mask: UInt64 = width == 64 ? ~0 : (1 << UInt64(width)) - 1
        // Eight bytes are loaded at each value's first byte; the last values,
        // where that would pass the end, are assembled a byte at a time.
        let fastCount = packed.count >= 16 ? Swift.min(count, ((packed.count - 8) * 8) / width) : 0
        var bit = 0
        if width <= 56 {
            for index in 0..<fastCount {
                let word = UInt64(littleEndian: packed.loadUnaligned(fromByteOffset: bit >> 3, as: UInt64.self))
                values[index] = minimum &+ Int64(bitPattern: (word >> UInt64(bit & 7)) & mask)
                bit += width
            }
        } else {
            for index in 0..<fastCount {
                let low = UInt64(littleEndian: packed.loadUnaligned(fromByteOffset: bit >> 3, as: UInt64.self))
                let shift = UInt64(bit & 7)
                var value = low >> shift
                if shift > 0 { value |= UInt64(packed[(bit >> 3) + 8]) << (64 - shift) }
                values[index] = minimum &+ Int64(bitPattern: value & mask)
                bit += width
            }
        }
        for index in fastCount..<count {
            var value: UInt64 = 0
            for offset in 0..<width {
                let at = bit + offset
                value |= UInt64((packed[at >> 3] >> UInt8(at & 7)) & 1) << UInt64(offset)
            }
            values[index] = minimum &+ Int64(bitPattern: value)
            bit += width
        }
    }
}

extension ByteWriter {
    /// Writes `values` with frame-of-reference bit packing (above).
    /// Nothing at all for no values.
    public mutating func writePacked(_ values: UnsafeBufferPointer<Int64>) {
        guard !values.isEmpty else { return }
        let (minimum, width, byteCount) = FrameOfReference.measure(values)
        appendInPlace(upTo: byteCount + 8) { out in
            FrameOfReference.pack(values, minimum: minimum, width: width, into: UnsafeMutableRawPointer(out))
            return byteCount
        }
    }

    /// Writes `values` as a first value and zigzag varint differences (above).
    /// Nothing at all for no values.
    public mutating func writeDeltas(_ values: UnsafeBufferPointer<UInt64>) {
        writeDeltas(count: values.count) { values[$0] }
    }

    /// `writeDeltas` of the `count` values `value(0)`, `value(1)`, …: for
    /// values that are a field of a column, without gathering them first.
    @inlinable
    public mutating func writeDeltas(count: Int, _ value: (Int) -> UInt64) {
        guard count > 0 else { return }
        appendInPlace(upTo: Self.deltasRoom(count: count)) { Self.storeDeltas(count: count, value, at: $0) }
    }

    /// The most bytes `storeDeltas` of `count` values takes: the first value's
    /// eight, and ten for each step.
    @inlinable
    static func deltasRoom(count: Int) -> Int {
        count > 0 ? 8 + (count - 1) * 10 : 0
    }

    /// Stores what `writeDeltas(count:_:)` writes at `out`, which has room for
    /// `deltasRoom(count:)` bytes; returns how many it took. (The ids of a
    /// checkpoint store the same form from their own words:
    /// `PendingIDs.store`.)
    @inlinable
    static func storeDeltas(count: Int, _ value: (Int) -> UInt64, at out: UnsafeMutablePointer<UInt8>) -> Int {
        guard count > 0 else { return 0 }
        var previous = value(0)
        UnsafeMutableRawPointer(out).storeBytes(of: previous.littleEndian, as: UInt64.self)
        var position = 8
        for index in 1..<count {
            let current = value(index)
            position &+= storeStep(current &- previous, at: out + position)
            previous = current
        }
        return position
    }

    /// Stores the step from one value of a run of deltas to the next (the
    /// difference, wrapping) as its zigzag varint at `out`, which has room
    /// for ten bytes; returns how many it took.
    @inlinable @inline(__always)
    static func storeStep(_ difference: UInt64, at out: UnsafeMutablePointer<UInt8>) -> Int {
        let step = Int64(bitPattern: difference)
        return storeVarint(UInt64(bitPattern: (step &<< 1) ^ (step &>> 63)), at: out)
    }

    /// Stores `value` as a LEB128 varint at `out`, which has room for ten
    /// bytes; returns how many it took. The differences of line offsets,
    /// most of what `writeDeltas` writes, take one or two bytes: those are
    /// stored without a loop (two bytes as one 16-bit store).
    @inlinable @inline(__always)
    static func storeVarint(_ value: UInt64, at out: UnsafeMutablePointer<UInt8>) -> Int {
        if value < 0x80 {
            out.pointee = UInt8(truncatingIfNeeded: value)
            return 1
        }
        if value < 0x4000 {
            let pair = UInt16(truncatingIfNeeded: value & 0x7F | 0x80) | UInt16(truncatingIfNeeded: value &>> 7) &<< 8
            UnsafeMutableRawPointer(out).storeBytes(of: pair.littleEndian, as: UInt16.self)
            return 2
        }
        var rest = value
        var position = 0
        while rest >= 0x80 {
            out[position] = UInt8(truncatingIfNeeded: rest) | 0x80
            rest &>>= 7
            position &+= 1
        }
        out[position] = UInt8(truncatingIfNeeded: rest)
        return position &+ 1
    }

    /// Appends the bytes `body` writes at the start of `maximum` bytes of
    /// room, keeping as many as it returns: one pass over the values, with no
    /// per-byte append.
    @inlinable
    public mutating func appendInPlace(upTo maximum: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: maximum))
        let written = bytes.withUnsafeMutableBufferPointer { body($0.baseAddress! + start) }
        precondition(written <= maximum, "wrote past the room asked for")
        bytes.removeLast(maximum - written)
    }
}

extension ByteReader {
    /// Reads `count` values written by `writePacked`, handing each to `body` in order.
    public mutating func readPacked(count: Int, _ body: (Int64) -> Void) throws(DecodingError) {
        try readEach(count: count, { reader, values throws(DecodingError) in try reader.readPacked(into: values) }, body)
    }

    /// `count` values that `read` reads into a buffer, handed to `body` in order.
    private mutating func readEach<Value>(
        count: Int, _ read: (inout ByteReader, UnsafeMutableBufferPointer<Value>) throws(DecodingError) -> Void,
        _ body: (Value) -> Void
    ) throws(DecodingError) {
        guard count > 0 else { return }
        let values = UnsafeMutableBufferPointer<Value>.allocate(capacity: count)
        defer { values.deallocate() }
        try read(&self, values)
        for value in values { body(value) }
    }

    /// Reads as many values written by `writePacked` as `values` holds, into it.
    public mutating func readPacked(into values: UnsafeMutableBufferPointer<Int64>) throws(DecodingError) {
        guard !values.isEmpty else { return }
        let (minimum, width, bits) = try readPackedParts(count: values.count)
        FrameOfReference.unpack(bits, minimum: minimum, width: width, into: values)
    }

    /// The bytes `writePacked` wrote for `count` values (minimum, width and
    /// bits), checked but not unpacked: a site's message timestamps are kept
    /// in memory in this form (`PackedColumn`).
    public mutating func readPackedBytes(count: Int) throws(DecodingError) -> UnsafeRawBufferPointer {
        guard count > 0 else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        let start = position
        _ = try readPackedParts(count: count)
        return UnsafeRawBufferPointer(rebasing: buffer[start..<position])
    }

    /// The minimum, the width and the bits of `count` packed values, checked.
    private mutating func readPackedParts(count: Int) throws(DecodingError) -> (Int64, Int, UnsafeRawBufferPointer) {
        let minimum: Int64 = try read()
        let width = Int(try read(UInt8.self))
        guard width <= 64 else { throw DecodingError("packed width \(width) over 64 bits") }
        guard let byteCount = FrameOfReference.bitBytes(count: count, width: width) else {
            throw DecodingError("packed column too long")
        }
        return (minimum, width, try readBytes(count: UInt64(byteCount)))
    }

    /// Reads `count` values written by `writeDeltas`, handing each to `body` in order.
    public mutating func readDeltas(count: Int, _ body: (UInt64) -> Void) throws(DecodingError) {
        try readEach(count: count, { reader, values throws(DecodingError) in try reader.readDeltas(into: values) }, body)
    }

    /// Reads as many values written by `writeDeltas` as `values` holds, into it.
    public mutating func readDeltas(into values: UnsafeMutableBufferPointer<UInt64>) throws(DecodingError) {
        let count = values.count
        guard count > 0 else { return }
        var value: UInt64 = try read()
        values[0] = value
        var position = self.position
        let end = buffer.count
        for index in 1..<count {
            var zigzag: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard position < end else { throw DecodingError("record ends early") }
                let byte = buffer[position]
                position += 1
                guard shift < 64 else { throw DecodingError("varint too long") }
                zigzag |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { break }
                shift += 7
            }
            let step = Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1)
            value = value &+ UInt64(bitPattern: step)
            values[index] = value
        }
        try skip(position - self.position)
    }
}
