/// Hands out small integers for byte strings (site ids, visitor and operator
/// names, ids that are not UUIDs), in first-seen order.
///
/// Names repeat millions of times in a log; the state stores a `UInt32` per
/// use and each distinct name once, in one contiguous arena. Lookups take a
/// pointer to the bytes, so interning a name that is already known allocates
/// nothing.
///
/// Two lookups an event, nearly always of a known name: a slot holds the
/// upper half of the name's hash beside its index, so a probe past another
/// name's slot is decided in the slot, and only a slot whose hash matches
/// costs a comparison of the bytes.
@usableFromInline
struct Interner {
    /// All names, back to back.
    @usableFromInline var arena: [UInt8] = []
    /// `ends[i]` is where name `i` ends in `arena`; it starts at `ends[i - 1]`.
    @usableFromInline var ends: [Int] = []
    /// Each name's hash, so growing never rehashes bytes.
    @usableFromInline var hashes: [UInt64] = []
    /// Open-addressing slots, homed by the hash's low bits, holding the
    /// hash's upper 32 bits above `index + 1`; 0 is empty.
    @usableFromInline var slots: [UInt64] = Array(repeating: 0, count: 16)

    @usableFromInline init() {}

    /// Number of distinct names.
    @inlinable var count: Int { ends.count }

    /// The bytes of name `index`.
    @inlinable
    func name(_ index: Int) -> ArraySlice<UInt8> {
        arena[(index == 0 ? 0 : ends[index - 1])..<ends[index]]
    }

    /// The index of `bytes`, adding it when new.
    @inlinable
    mutating func intern(_ bytes: UnsafeRawBufferPointer) -> (index: UInt32, inserted: Bool) {
        intern(bytes, hash: ByteHash.hash(bytes))
    }

    /// The index of `bytes`, whose `ByteHash.hash` is `hash`, adding it when new.
    @inlinable
    mutating func intern(_ bytes: UnsafeRawBufferPointer, hash: UInt64) -> (index: UInt32, inserted: Bool) {
        let mask = slots.count - 1
        let tag = Self.tag(hash)
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { break }
            if entry & Self.tagMask == tag {
                let index = Int(truncatingIfNeeded: entry & Self.indexMask) - 1
                if equals(index, bytes) { return (UInt32(index), false) }
            }
            slot = (slot + 1) & mask
        }
        let index = ends.count
        precondition(index < Int(UInt32.max), "more distinct names than an index holds")
        arena.append(contentsOf: bytes)
        ends.append(arena.count)
        hashes.append(hash)
        slots[slot] = tag | UInt64(index + 1)
        if ends.count * 4 > slots.count * 3 { grow() }
        return (UInt32(index), true)
    }

    @usableFromInline static let tagMask: UInt64 = 0xFFFF_FFFF_0000_0000
    @usableFromInline static let indexMask: UInt64 = 0xFFFF_FFFF

    /// The part of a slot that comes from the hash.
    @inlinable @inline(__always)
    static func tag(_ hash: UInt64) -> UInt64 { hash & tagMask }

    @inlinable
    func equals(_ index: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        let start = index == 0 ? 0 : ends[index - 1]
        let length = ends[index] - start
        guard length == bytes.count else { return false }
        if length == 0 { return true }
        return arena.withUnsafeBytes { arenaBytes in
            memcmpEqual(arenaBytes.baseAddress! + start, bytes.baseAddress!, length)
        }
    }

    @usableFromInline
    mutating func grow() {
        let capacity = slots.count * 2
        let mask = capacity - 1
        var newSlots = [UInt64](repeating: 0, count: capacity)
        for index in 0..<ends.count {
            var slot = Int(truncatingIfNeeded: hashes[index]) & mask
            while newSlots[slot] != 0 { slot = (slot + 1) & mask }
            newSlots[slot] = Self.tag(hashes[index]) | UInt64(index + 1)
        }
        slots = newSlots
    }
}

/// Byte equality of two regions, without Foundation. Names are short: whole
/// 8-byte words, then the last 8 bytes (overlapping the words already
/// compared) for the rest; under 8 bytes, the first and last 4 (or 2, or
/// 1), overlapping. No loop over single bytes.
@inlinable
func memcmpEqual(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ count: Int) -> Bool {
    @inline(__always)
    func same<T: FixedWidthInteger>(_ offset: Int, _: T.Type) -> Bool {
        a.loadUnaligned(fromByteOffset: offset, as: T.self) == b.loadUnaligned(fromByteOffset: offset, as: T.self)
    }
    if count >= 8 {
        var i = 0
        while i + 8 <= count {
            if !same(i, UInt64.self) { return false }
            i += 8
        }
        return i == count || same(count - 8, UInt64.self)
    }
    if count >= 4 { return same(0, UInt32.self) && same(count - 4, UInt32.self) }
    if count >= 2 { return same(0, UInt16.self) && same(count - 2, UInt16.self) }
    return count == 0 || same(0, UInt8.self)
}
