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
    /// `ends[i]` is where name `i` ends in `arena`; it starts at `ends[i - 1]`.
    @usableFromInline var ends: [Int] = []
    /// Each name's hash, so growing never rehashes bytes.
    @usableFromInline var hashes: [UInt64] = []
    /// Open-addressing slots holding `index + 1`; 0 is empty.
    @usableFromInline var slots: [UInt32] = Array(repeating: 0, count: 16)

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
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { break }
            let index = Int(entry) - 1
            if hashes[index] == hash && equals(index, bytes) {
                return (UInt32(index), false)
            }
            slot = (slot + 1) & mask
        }
        let index = ends.count
        arena.append(contentsOf: bytes)
        ends.append(arena.count)
        hashes.append(hash)
        slots[slot] = UInt32(index + 1)
        if ends.count * 4 > slots.count * 3 { grow() }
        return (UInt32(index), true)
    }

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
        var newSlots = [UInt32](repeating: 0, count: capacity)
        for index in 0..<ends.count {
            var slot = Int(truncatingIfNeeded: hashes[index]) & mask
            while newSlots[slot] != 0 { slot = (slot + 1) & mask }
            newSlots[slot] = UInt32(index + 1)
        }
        slots = newSlots
    }
}

/// Byte equality of two regions, without Foundation.
@inlinable
func memcmpEqual(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ count: Int) -> Bool {
    var i = 0
    while i + 8 <= count {
        if a.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
        i += 8
    }
    while i < count {
        if a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) {
            return false
        }
        i += 1
    }
    return true
}
