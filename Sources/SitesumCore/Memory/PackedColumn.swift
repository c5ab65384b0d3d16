/// A column of Int64 values (a site's message timestamps) kept packed in
/// blocks: values arrive in a plain column (`recent`), and every
/// `blockValues` of them are packed with a frame of reference
/// (`FrameOfReference`), the form a checkpoint record stores them in.
///
/// The message timestamps are most of the state after the ids: 8 bytes a
/// message as plain values, where a day of timestamps in seconds needs 17
/// bits. Packed, a log of tens of millions of messages asks the kernel for
/// hundreds of megabytes less (fresh memory is among the costliest things a
/// run does here), and a resume copies a checkpoint's packed records in as
/// blocks instead of unpacking them. The values are only read whole: by the
/// summary, which unpacks a block at a time, and for checkpoint records.
///
/// A plain value like `RawColumn`, freed by its owner (`deallocate`).
@usableFromInline
struct PackedColumn: BitwiseCopyable {
    /// Where a block's bytes start in `bytes`, and how many values it holds.
    @usableFromInline
    struct Block: BitwiseCopyable {
        var offset: Int
        var count: Int
    }

    /// The blocks' bytes back to back: each the minimum (i64), the width
    /// (u8) and the packed bits, as `ByteWriter.writePacked` writes them.
    var bytes = RawColumn<UInt8>()
    var blocks = RawColumn<Block>()
    /// The values after the last block, not packed yet.
    @usableFromInline var recent = RawColumn<Int64>()
    /// Values in the blocks.
    @usableFromInline var packedCount = 0

    /// Values a block holds when `recent` fills one.
    @usableFromInline static let blockValues = 1 << 16
    /// A loaded record smaller than this is unpacked into `recent` rather
    /// than kept as a block of its own (records are as small as a save
    /// interval's messages of one site).
    static let smallestLoadedBlock = 4096

    @inlinable init() {}

    @inlinable var count: Int { packedCount + recent.count }

    @inlinable @inline(__always)
    mutating func append(_ value: Int64) {
        recent.append(value)
        if recent.count == Self.blockValues { packRecent() }
    }

    /// Appends `values` as `append(_:)` would one at a time, but in as few
    /// copies as the blocks allow (a loaded record's values of one site).
    mutating func append(contentsOf values: UnsafeBufferPointer<Int64>) {
        var rest = values[...]
        while !rest.isEmpty {
            let part = rest.prefix(Self.blockValues - recent.count)
            recent.append(count: part.count) { out in
                _ = out.initialize(fromContentsOf: UnsafeBufferPointer(rebasing: part))
            }
            if recent.count == Self.blockValues { packRecent() }
            rest = rest.dropFirst(part.count)
        }
    }

    /// Packs the values of `recent` into a new block.
    @usableFromInline
    mutating func packRecent() {
        guard !recent.isEmpty else { return }
        recent.withUnsafeElements(0..<recent.count) { values in
            let (minimum, width, byteCount) = FrameOfReference.measure(values)
            appendBlock(byteCount: byteCount, count: values.count) { out in
                FrameOfReference.pack(values, minimum: minimum, width: width, into: out)
            }
        }
        recent.removeAll()
    }

    /// Appends `count` values given as `ByteReader.readPackedBytes` returns
    /// them (minimum, width, bits; already checked).
    mutating func append(packed: UnsafeRawBufferPointer, count: Int) {
        guard count > 0 else { return }
        if count < Self.smallestLoadedBlock {
            // `append(count:)` doubles the room as it needs: reserving a
            // whole block here gave every site half a megabyte on a resume,
            // gigabytes for a checkpoint of hundreds of thousands of sites.
            recent.append(count: count) { values in
                Self.unpack(packed, into: values)
            }
            if recent.count >= Self.blockValues { packRecent() }
            return
        }
        packRecent()
        appendBlock(byteCount: packed.count, count: count) { out in
            out.copyMemory(from: packed.baseAddress!, byteCount: packed.count)
        }
    }

    /// Adds a block of `count` values whose `byteCount` bytes `write` puts
    /// at the address it is given (with 8 bytes of room past them).
    private mutating func appendBlock(byteCount: Int, count: Int, _ write: (UnsafeMutableRawPointer) -> Void) {
        let offset = bytes.count
        if offset + byteCount + 8 > bytes.capacity {
            bytes.reserveCapacity(Swift.max(offset + byteCount + 8, bytes.capacity * 2))
        }
        write(UnsafeMutableRawPointer(bytes.base.unsafelyUnwrapped + offset))
        bytes.storedCount += byteCount
        blocks.append(Block(offset: offset, count: count))
        packedCount += count
    }

    /// Unpacks a block's bytes (minimum, width, bits) into `values`.
    static func unpack(_ packed: UnsafeRawBufferPointer, into values: UnsafeMutableBufferPointer<Int64>) {
        let minimum = Int64(littleEndian: packed.loadUnaligned(fromByteOffset: 0, as: Int64.self))
        let width = Int(packed[8])
        FrameOfReference.unpack(UnsafeRawBufferPointer(rebasing: packed[9...]), minimum: minimum, width: width, into: values)
    }

    /// The bytes of block `index`.
    func packedBytes(ofBlock index: Int) -> UnsafeRawBufferPointer {
        let block = blocks[index]
        let end = index + 1 < blocks.count ? blocks[index + 1].offset : bytes.count
        return UnsafeRawBufferPointer(start: bytes.base.map { UnsafeRawPointer($0 + block.offset) }, count: end - block.offset)
    }

    /// A range that holds every value, read off the blocks without unpacking
    /// them (a block's upper end is its minimum plus the most its bit width
    /// holds, so the range can be wider than the values); nil when empty or
    /// when it would not fit an Int64 range.
    func valueBounds() -> ClosedRange<Int64>? {
        var lower = Int64.max, upper = Int64.min
        for index in 0..<blocks.count {
            let bytes = packedBytes(ofBlock: index)
            let minimum = Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: Int64.self))
            let width = Int(bytes[8])
            guard width < 63 else { return nil }
            let (top, overflow) = minimum.addingReportingOverflow((1 << Int64(width)) - 1)
            guard !overflow else { return nil }
            lower = Swift.min(lower, minimum)
            upper = Swift.max(upper, top)
        }
        for value in recent {
            lower = Swift.min(lower, value)
            upper = Swift.max(upper, value)
        }
        return lower <= upper ? lower...upper : nil
    }

    /// One stretch of the values, as `forEachPiece` hands them out: a whole
    /// block, still packed, or values in their plain form.
    enum Piece {
        case packed(UnsafeRawBufferPointer, count: Int)
        case values(UnsafeBufferPointer<Int64>)
    }

    /// Calls `body` with the values at `range`, in order, in pieces: whole
    /// blocks packed, the rest plain (a block partly in `range` unpacked).
    func forEachPiece(in range: Range<Int>, _ body: (Piece) throws -> Void) rethrows {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "column range out of bounds")
        var first = 0
        var scratch = Scratch()
        for index in 0..<blocks.count where first < range.upperBound {
            let block = blocks[index]
            defer { first += block.count }
            let lower = Swift.max(first, range.lowerBound), upper = Swift.min(first + block.count, range.upperBound)
            guard lower < upper else { continue }
            let overlap = lower..<upper
            if overlap.count == block.count {
                try body(.packed(packedBytes(ofBlock: index), count: block.count))
                continue
            }
            try scratch.unpacking(packedBytes(ofBlock: index), count: block.count) { values in
                let part = (overlap.lowerBound - first)..<(overlap.upperBound - first)
                try body(.values(UnsafeBufferPointer(rebasing: values[part])))
            }
        }
        let recentStart = Swift.max(range.lowerBound, packedCount)
        if recentStart < range.upperBound {
            try recent.withUnsafeElements((recentStart - packedCount)..<(range.upperBound - packedCount)) {
                try body(.values($0))
            }
        }
    }

    /// Calls `body` with the values at `range`, in order, all plain: whole
    /// blocks are unpacked one at a time into a buffer that is used again.
    func forEachValues(in range: Range<Int>, _ body: (UnsafeBufferPointer<Int64>) throws -> Void) rethrows {
        var scratch = Scratch()
        try forEachPiece(in: range) { piece in
            switch piece {
            case let .values(values): try body(values)
            case let .packed(bytes, count): try scratch.unpacking(bytes, count: count, body)
            }
        }
    }

    /// Room to unpack one block into, grown to the largest asked for.
    private struct Scratch {
        var values: [Int64] = []

        /// Calls `body` with the `count` values of the packed block `bytes`.
        mutating func unpacking<R>(
            _ bytes: UnsafeRawBufferPointer, count: Int, _ body: (UnsafeBufferPointer<Int64>) throws -> R
        ) rethrows -> R {
            if values.count < count { values = [Int64](repeating: 0, count: count) }
            return try values.withUnsafeMutableBufferPointer { values in
                let unpacked = UnsafeMutableBufferPointer(rebasing: values[..<count])
                PackedColumn.unpack(bytes, into: unpacked)
                return try body(UnsafeBufferPointer(unpacked))
            }
        }
    }

    /// Frees the memory and empties the column.
    mutating func deallocate() {
        bytes.deallocate()
        blocks.deallocate()
        recent.deallocate()
        self = PackedColumn()
    }
}
