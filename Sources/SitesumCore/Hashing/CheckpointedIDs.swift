import Dispatch

/// The UUID ids a resumed run loaded from its checkpoint, each known by its
/// fingerprint (`UUIDKey.fingerprint`) and the input offset of the line that
/// carried it — not by the id itself.
///
/// A checkpoint does not repeat the ids: they are in the input, which a
/// resume requires unchanged up to the checkpoint's offset. Storing 16 bytes
/// per event would make the ids two thirds of every checkpoint; a fingerprint
/// and an offset take about six (see `ActivityState+Checkpoint.swift`). A
/// resumed run looks an id up here by its fingerprint, and when a stored
/// entry has the same one, reads that line of the input again to compare the
/// ids themselves (`ActivityState.checkpointedLines`).
///
/// An open-addressing table of 64-bit slots, `(offset + 1) << 16 | tag`, where
/// the tag is the fingerprint's low 16 bits and the slot's home the
/// fingerprint's high bits (multiply-shift, as in `FlatSet`); zero is an
/// empty slot. Half the size of a slot of `FlatSet<UUIDKey>`. The home cannot
/// be recomputed from a slot, so the table never grows: it is sized once, for
/// at most the number of events the checkpoint counted (`reserve`).
@usableFromInline
final class CheckpointedIDs {
    @usableFromInline let slots: UnsafeMutablePointer<UInt64>
    @usableFromInline let capacity: Int
    /// The most entries the table takes (`reserve`'s count).
    let limit: Int
    @usableFromInline private(set) var count = 0
    /// The tags a lookup compares: all 16 bits, or fewer in tests, so that
    /// different ids often share a tag and the comparison of the ids
    /// themselves is exercised.
    @usableFromInline let tagMask: UInt64
    /// The background population of the table's pages (see `PageMemory`).
    private let populating: DispatchGroup?

    /// The largest offset a slot holds: 2^48 − 2 (a 256 TiB input).
    static let maximumOffset: UInt64 = (1 << 48) - 2

    /// A table for up to `count` entries, at `FlatSet`'s planned load.
    init(reserving count: Int, tagBits: Int = 16) {
        precondition(tagBits >= 0 && tagBits <= 16, "a tag has at most 16 bits")
        limit = count
        capacity = FlatSet<UUIDKey>.capacity(for: count)
        slots = PageMemory.allocateZeroed(byteCount: capacity * 8).bindMemory(to: UInt64.self, capacity: capacity)
        tagMask = tagBits == 0 ? 0 : (1 << UInt64(tagBits)) - 1
        populating = PageMemory.populateInBackground(slots, byteCount: capacity * 8)
    }

    deinit {
        populating?.wait()
        PageMemory.deallocate(slots, byteCount: capacity * 8)
    }

    @inlinable @inline(__always)
    func home(_ fingerprint: UInt32) -> Int {
        Int(truncatingIfNeeded: (UInt64(fingerprint) << 32).multipliedFullWidth(by: UInt64(truncatingIfNeeded: capacity)).high)
    }

    /// Adds the id with `fingerprint` found on the line at `offset`. False,
    /// adding nothing, when the table is full or the offset too large: the
    /// checkpoint holds more ids than it counted events, which only damage
    /// or a writer bug can cause.
    func insert(fingerprint: UInt32, offset: UInt64) -> Bool {
        guard count < limit, offset <= Self.maximumOffset else { return false }
        var index = home(fingerprint)
        while slots[index] != 0 {
            index += 1
            if index == capacity { index = 0 }
        }
        slots[index] = (offset + 1) << 16 | UInt64(fingerprint & 0xFFFF)
        count += 1
        return true
    }

    /// Loads the home slot of `fingerprint` (see `FlatSet.touch`).
    @inlinable @inline(__always)
    func touch(_ fingerprint: UInt32) -> UInt64 {
        slots[home(fingerprint)]
    }

    /// Calls `body` with the offset and the stored tag (the fingerprint's
    /// low 16 bits) of every entry that may be the id with `fingerprint`
    /// (those whose tag matches), until it returns true; returns whether one did.
    @inlinable
    func firstCandidate(_ fingerprint: UInt32, where body: (_ offset: UInt64, _ tag: UInt16) -> Bool) -> Bool {
        let tag = UInt64(fingerprint) & tagMask
        var index = home(fingerprint)
        while true {
            let slot = slots[index]
            if slot == 0 { return false }
            if slot & tagMask == tag && body((slot >> 16) - 1, UInt16(truncatingIfNeeded: slot)) { return true }
            index += 1
            if index == capacity { index = 0 }
        }
    }
}
