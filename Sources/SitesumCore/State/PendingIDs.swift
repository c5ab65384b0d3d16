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
/// side took 16 bytes with their padding, twice the fresh memory for the
/// kernel to zero in every run.
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

    /// Where `store` goes on from: the offset of the id before (0 before
    /// the first), and the next far offset (its position in `farOffsets`).
    struct Position {
        var previous: UInt64 = 0
        var nextFar = 0
    }

    /// Stores the ids `range`, which starts where `position` is (at the
    /// first id, or where the call before ended), as an id record holds
    /// them (`ActivityState.writeIDs`): their fingerprints, little-endian
    /// u32s, at `fingerprints`, and their offsets as
    /// `ByteWriter.storeDeltas` stores them at `offsets`, which has room for
    /// `ByteWriter.deltasRoom(count:)` bytes; returns how many of those it
    /// took. The steps come from the words' low halves as they are, without
    /// the whole offsets being added up and subtracted again; the far
    /// offsets are looked at only where the next one is due.
    func store(_ range: Range<Int>, from position: inout Position,
               fingerprints: UnsafeMutableRawPointer, offsets: UnsafeMutablePointer<UInt8>) -> Int {
        guard !range.isEmpty else { return 0 }
        precondition(range.upperBound <= count, "storing ids past the list's end")
        let words = self.words.base.unsafelyUnwrapped
        var previous = position.previous
        var nextFar = position.nextFar
        var nextFarIndex = nextFar < farOffsets.count ? farOffsets[nextFar].index : .max
        /// The step from the id before to the id at `index`, its
        /// fingerprint stored.
        @inline(__always)
        func stepTo(_ index: Int) -> UInt64 {
            let word = words[index]
            fingerprints.storeBytes(of: UInt32(truncatingIfNeeded: word &>> 32).littleEndian,
                                    toByteOffset: (index &- range.lowerBound) &* 4, as: UInt32.self)
            if index == nextFarIndex {
                let step = farOffsets[nextFar].offset &- previous
                nextFar += 1
                nextFarIndex = nextFar < farOffsets.count ? farOffsets[nextFar].index : .max
                return step
            }
            return UInt64(UInt32(truncatingIfNeeded: word) &- UInt32(truncatingIfNeeded: previous))
        }
        previous &+= stepTo(range.lowerBound)
        UnsafeMutableRawPointer(offsets).storeBytes(of: previous.littleEndian, as: UInt64.self)
        var stored = 8
        for index in range.dropFirst() {
            let step = stepTo(index)
            previous &+= step
            stored &+= ByteWriter.storeStep(step, at: offsets + stored)
        }
        position = Position(previous: previous, nextFar: nextFar)
        return stored
    }
}
