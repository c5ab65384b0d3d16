import SitesumPrefetch

/// Hands out small integers for byte strings (site ids, visitor and operator
/// names, ids that are not UUIDs), in first-seen order.
///
/// Names repeat millions of times in a log; the state stores a `UInt32` per
/// use and each distinct name once, in one contiguous arena. Lookups take a
/// pointer to the bytes, so interning a name that is already known allocates
/// nothing.
@usableFromInline
struct Interner {
    /// All names, back to back.
    @usableFromInline var arena: [UInt8] = []
    /// Name `i` is `arena[bounds[i]..<bounds[i + 1]]`: one entry more than
    /// names, so that the first name needs no case of its own.
    @usableFromInline var bounds: [Int] = [0]
    /// Open-addressing slots holding `low32(hash) << 32 | (index + 1)`; 0 is
    /// empty. A slot answers most lookups of another name without reading
    /// the name, and growing takes the homes from the slots, never
    /// hashing bytes again (the table has far fewer than 2^32 slots).
    @usableFromInline var slots: [UInt64] = Array(repeating: 0, count: 16)

    @usableFromInline init() {}

    /// Number of distinct names.
    @inlinable var count: Int { bounds.count - 1 }

    /// The bytes of name `index`.
    @inlinable
    func name(_ index: Int) -> ArraySlice<UInt8> {
        arena[bounds[index]..<bounds[index + 1]]
    }

    /// The index of `bytes`, adding it when new.
    @inlinable
    mutating func intern(_ bytes: UnsafeRawBufferPointer) -> (index: UInt32, inserted: Bool) {
        intern(bytes, hash: ByteHash.hash(bytes))
    }

    /// The index of `bytes`, whose `ByteHash.hash` is `hash`, adding it when
    /// new. Every event interns its site and its sender, so the lookup of a
    /// known name is inlined, with the arrays' storage read once.
    @inlinable @inline(__always)
    mutating func intern(_ bytes: UnsafeRawBufferPointer, hash: UInt64) -> (index: UInt32, inserted: Bool) {
        let tag = hash << 32
        let (found, slot) = slots.withUnsafeBufferPointer { slots in
            bounds.withUnsafeBufferPointer { bounds in
                arena.withUnsafeBytes { arena in
                    let mask = slots.count - 1
                    var slot = Int(truncatingIfNeeded: hash) & mask
                    while true {
                        let entry = slots[slot]
                        if entry == 0 { return (-1, slot) }
                        if entry & 0xFFFF_FFFF_0000_0000 == tag {
                            let index = Int(truncatingIfNeeded: entry & 0xFFFF_FFFF) - 1
                            let start = bounds[index]
                            if bounds[index + 1] - start == bytes.count
                                && (bytes.count == 0 || memcmpEqual(arena.baseAddress! + start, bytes.baseAddress!, bytes.count)) {
                                return (index, slot)
                            }
                        }
                        slot = (slot + 1) & mask
                    }
                }
            }
        }
        if found >= 0 { return (UInt32(found), false) }
        return (add(bytes, tag: tag, at: slot), true)
    }

    /// Starts loading the slot that a lookup of a name with hash `hash`
    /// reads first (see `ActivityState.prefetchNames`).
    ///
    /// This and the two below are `mutating` though they change nothing:
    /// a call on an interner kept in a class (the state's) then reaches it in
    /// place, where a non-mutating one copies it, retaining and releasing its
    /// three arrays (a seventh of a run's time, in a profile of a log of many
    /// visitors).
    @inlinable @inline(__always)
    mutating func prefetchSlot(_ hash: UInt64) {
        slots.withUnsafeBufferPointer { slots in
            SitesumPrefetch.prefetch(slots.baseAddress.unsafelyUnwrapped + (Int(truncatingIfNeeded: hash) & (slots.count - 1)))
        }
    }

    /// The index of the first name whose slot carries `hash`'s tag, or nil
    /// when the probe meets an empty slot first: `intern`'s lookup without
    /// comparing names. Only a guess (another name may share the tag), for
    /// deciding what to prefetch.
    @inlinable @inline(__always)
    mutating func guessIndex(_ hash: UInt64) -> Int? {
        let tag = hash << 32
        return slots.withUnsafeBufferPointer { slots in
            let mask = slots.count - 1
            var slot = Int(truncatingIfNeeded: hash) & mask
            while true {
                let entry = slots[slot]
                if entry == 0 { return nil }
                if entry & 0xFFFF_FFFF_0000_0000 == tag { return Int(truncatingIfNeeded: entry & 0xFFFF_FFFF) - 1 }
                slot = (slot + 1) & mask
            }
        }
    }

    /// Starts loading where name `index`'s bounds are kept, which a lookup
    /// that finds it reads before its bytes.
    @inlinable @inline(__always)
    mutating func prefetchBounds(_ index: Int) {
        bounds.withUnsafeBufferPointer { bounds in
            SitesumPrefetch.prefetch(bounds.baseAddress.unsafelyUnwrapped + index)
        }
    }

    /// The number of slots, at least `count` × 4/3.
    @inlinable var slotCount: Int { slots.count }

    /// Adds a new name at the empty `slot` its lookup ended at.
    @usableFromInline
    mutating func add(_ bytes: UnsafeRawBufferPointer, tag: UInt64, at slot: Int) -> UInt32 {
        let index = count
        arena.append(contentsOf: bytes)
        bounds.append(arena.count)
        slots[slot] = tag | UInt64(index + 1)
        if Self.isOverfull(names: count, slots: slots.count) { grow() }
        return UInt32(index)
    }

    @usableFromInline
    mutating func grow() {
        rehash(slotCount: slots.count * 2)
    }

    /// Makes room for `names` names of `bytes` bytes in all, so that
    /// interning that many grows nothing on the way: the slots sized for
    /// them now, the names' memory set aside (touched only as names come).
    mutating func reserve(names: Int, bytes: Int) {
        arena.reserveCapacity(bytes)
        bounds.reserveCapacity(names + 1)
        var capacity = slots.count
        while Self.isOverfull(names: names, slots: capacity) { capacity *= 2 }
        if capacity > slots.count { rehash(slotCount: capacity) }
    }

    /// Whether `names` names fill `slots` slots past three quarters: the
    /// load at which the table doubles.
    @inlinable @inline(__always)
    static func isOverfull(names: Int, slots: Int) -> Bool { names * 4 > slots * 3 }

    /// Moves every entry to a table of `capacity` slots (a power of two).
    private mutating func rehash(slotCount capacity: Int) {
        let mask = capacity - 1
        var newSlots = [UInt64](repeating: 0, count: capacity)
        for entry in slots where entry != 0 {
            var slot = Int(truncatingIfNeeded: entry >> 32) & mask
            while newSlots[slot] != 0 { slot = (slot + 1) & mask }
            newSlots[slot] = entry
        }
        slots = newSlots
    }
}

/// Byte equality of two regions, without Foundation.
///
/// Names are mostly short: up to 16 bytes take two loads a side that may
/// overlap (the first and the last 8 bytes), 4 to 7 bytes two of 4, so that
/// a name's length decides no loop's exit (a branch mispredicted whenever
/// the lengths of the names interned vary).
@inlinable @inline(__always)
func memcmpEqual(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ count: Int) -> Bool {
    if count >= 8 {
        var i = 0
        while i &+ 16 < count {
            if a.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
            i &+= 8
        }
        // 8 to 16 bytes left, from `i`: its first and its last 8.
        let last = count &- 8
        let first = a.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ b.loadUnaligned(fromByteOffset: i, as: UInt64.self)
        let final = a.loadUnaligned(fromByteOffset: last, as: UInt64.self) ^ b.loadUnaligned(fromByteOffset: last, as: UInt64.self)
        return first | final == 0
    }
    if count >= 4 {
        let last = count &- 4
        let first = a.loadUnaligned(as: UInt32.self) ^ b.loadUnaligned(as: UInt32.self)
        let final = a.loadUnaligned(fromByteOffset: last, as: UInt32.self) ^ b.loadUnaligned(fromByteOffset: last, as: UInt32.self)
        return first | final == 0
    }
    var i = 0
    while i < count {
        if a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
        i &+= 1
    }
    return true
}
