/// The ids a run claimed since its last checkpoint, in the order of their
/// lines, as the next checkpoint records them (tag 4,
/// `ActivityState.writeIDs`): each one's fingerprint and the input offset
/// of its line.
///
/// **Eight bytes an id**, in one word: the fingerprint in the high half, the
/// offset's low 32 bits in the low half. An offset is the one before it (0
/// before the first) plus the difference of their low halves, taken modulo
/// 2^32: exact whenever the two lie less than 4 GiB apart. Only a stretch
/// of 4 GiB of input without a new id puts them further apart (or the
/// first id of a list, past the first 4 GiB of the input); such an offset
/// is also kept whole, in `farOffsets`.
///
/// A run holds two of these lists, one filling while the other is written
/// (`ActivityState.reuse`), each for half a save interval of ids: at the
/// default interval 4 MB each, where an offset and a fingerprint side by
/// side took 16 bytes with their padding, and the kernel zeroed twice
/// that fresh memory for every run.
@usableFromInline
struct PendingIDs {
    /// Per id, `fingerprint << 32 | offset & 0xFFFF_FFFF`.
    @usableFromInline var words = RawColumn<UInt64>()
    /// The offsets the words alone do not give, with the index of their id,
    /// in the order of the ids.
    @usableFromInline var farOffsets: [FarOffset] = []
    /// The offset of the last id appended (0 before the first).
    @usableFromInline var lastOffset: UInt64 = 0

    @usableFromInline
    struct FarOffset {
        @usableFromInline let index: Int
        @usableFromInline let offset: UInt64
        @inlinable init(index: Int, offset: UInt64) {
            self.index = index
            self.offset = offset
        }
    }

    @inlinable init() {}

    /// The ids listed.
    @inlinable var count: Int { words.count }
    /// Bytes of room the list holds, used or not.
    var capacityBytes: Int { words.capacity * MemoryLayout<UInt64>.stride }

    /// Lists the id with `fingerprint` on the line at `offset`.
    @inlinable @inline(__always)
    mutating func append(fingerprint: UInt32, offset: UInt64) {
        // Wrapping: an offset below the last one (which the ids' file order
        // rules out) would come out far too, and still be exact.
        if offset &- lastOffset > UInt64(UInt32.max) { noteFar(offset) }
        lastOffset = offset
        words.append(UInt64(fingerprint) &<< 32 | offset & 0xFFFF_FFFF)
    }

    /// Keeps `offset`, of the id about to be appended, whole.
    @usableFromInline @inline(never)
    mutating func noteFar(_ offset: UInt64) {
        farOffsets.append(FarOffset(index: words.count, offset: offset))
    }

    /// Empties the list, keeping its memory.
    mutating func removeAll() {
        words.removeAll()
        farOffsets.removeAll(keepingCapacity: true)
        lastOffset = 0
    }

    /// Frees the memory and empties the list.
    mutating func deallocate() {
        words.deallocate()
        self = PendingIDs()
    }

    /// A reader of the ids' offsets, from the first on.
    var offsets: OffsetReader { OffsetReader(self) }

    /// Reads the offsets of a list in order, one per call of `next()`.
    struct OffsetReader {
        private let words: RawColumn<UInt64>
        private let farOffsets: [FarOffset]
        private var index = 0
        private var previous: UInt64 = 0
        /// The first far offset not yet reached (its position in `farOffsets`).
        private var nextFar = 0

        init(_ list: PendingIDs) {
            words = list.words
            farOffsets = list.farOffsets
        }

        /// The offset of the next id.
        @inline(__always)
        mutating func next() -> UInt64 {
            let low = UInt32(truncatingIfNeeded: words[index])
            var offset = previous &+ UInt64(low &- UInt32(truncatingIfNeeded: previous))
            if nextFar < farOffsets.count && farOffsets[nextFar].index == index {
                offset = farOffsets[nextFar].offset
                nextFar += 1
            }
            previous = offset
            index += 1
            return offset
        }
    }
}
