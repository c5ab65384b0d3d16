import SitesumPrefetch

/// A key of a `FlatSet`: a small plain value whose all-zero bytes are its
/// `zero`, which marks an empty slot (the zero key itself is tracked on the side).
@usableFromInline
protocol FlatSetKey: Equatable, BitwiseCopyable {
    static var zero: Self { get }
    var hash64: UInt64 { get }
}

/// An open-addressing hash set of fixed-size keys with linear probing.
///
/// The state holds tens of millions of event ids; a `Set` of structs would
/// spend several times the key size per entry. Here a slot is the key itself,
/// the table is one allocation (huge pages when large, see `PageMemory`), and
/// the empty marker is the zero key.
///
/// The table's size need not be a power of two: a key's home slot is the high
/// half of `hash × capacity` (Lemire's multiply-shift range reduction), so the
/// table can be sized to the input (`reserve`) instead of to the next power of
/// two, and growing takes it by about 1.8 times, not to the next power of two. Either way a table that
/// grows holds the old and the new table for a moment, which `reserve` avoids.
@usableFromInline
final class FlatSet<Key: FlatSetKey> {
    @usableFromInline var slots: UnsafeMutablePointer<Key>
    @usableFromInline var capacity: Int
    /// Grow once this many keys are stored.
    @usableFromInline var growthThreshold: Int
    @usableFromInline var storedCount = 0
    @usableFromInline var containsZero = false
    /// The background population of the table's pages (`reserve`), if any.
    private var populating: WorkerThread?

    /// The most a table is filled before it grows. Linear probing stays short
    /// below this (about 3 slots, one cache line, per insert at 0.75).
    @usableFromInline static var maximumLoad: Double { 0.85 }
    /// The fill a table is sized for, by `reserve` and by growing.
    @usableFromInline static var plannedLoad: Double { 0.72 }

    @usableFromInline
    init(minimumCapacity: Int = 16) {
        capacity = Self.capacity(for: minimumCapacity)
        slots = Self.allocateSlots(capacity)
        growthThreshold = Self.threshold(capacity)
    }

    deinit {
        populating?.join()
        PageMemory.deallocate(slots, byteCount: capacity * MemoryLayout<Key>.stride)
    }

    /// Number of keys in the set.
    @inlinable var count: Int { storedCount + (containsZero ? 1 : 0) }

    /// Makes room for `expected` keys in all, so that inserting up to that many
    /// never grows the table (and never holds two tables at once).
    @usableFromInline
    func reserve(_ expected: Int) {
        let wanted = Self.capacity(for: expected)
        guard wanted > capacity else { return }
        resize(to: wanted)
        populating = PageMemory.populateInBackground(slots, byteCount: capacity * MemoryLayout<Key>.stride)
    }

    /// The home slot of a key with hash `hash`.
    @inlinable @inline(__always)
    func home(_ hash: UInt64) -> Int {
        Int(truncatingIfNeeded: hash.multipliedFullWidth(by: UInt64(truncatingIfNeeded: capacity)).high)
    }

    /// Starts loading the cache lines an insert of a key with hash `hash`
    /// probes first: its home slot's and the next. Called some keys ahead of
    /// `insert`, so that the misses of many keys are in flight at once.
    @inlinable @inline(__always)
    func prefetch(_ hash: UInt64) {
        SitesumPrefetch.prefetchLineAndNext(slots + home(hash))
    }

    /// Inserts `key`; true when it was not there before.
    @inlinable @inline(__always)
    func insert(_ key: Key) -> Bool {
        insert(key, hash: key.hash64)
    }

    /// Inserts `key` whose `hash64` is `hash`; true when it was not there before.
    @inlinable @inline(__always)
    func insert(_ key: Key, hash: UInt64) -> Bool {
        if key == .zero {
            if containsZero { return false }
            containsZero = true
            return true
        }
        var index = home(hash)
        while true {
            let slot = slots[index]
            if slot == key { return false }
            if slot == .zero { break }
            index += 1
            if index == capacity { index = 0 }
        }
        slots[index] = key
        storedCount += 1
        if storedCount >= growthThreshold { resize(to: Self.capacity(for: storedCount + storedCount / 2)) }
        return true
    }

    /// Calls `body` with every key, in no particular order.
    @inlinable
    func forEach(_ body: (Key) throws -> Void) rethrows {
        if containsZero { try body(.zero) }
        for i in 0..<capacity where slots[i] != .zero { try body(slots[i]) }
    }

    @usableFromInline
    func resize(to newCapacity: Int) {
        populating?.join()
        populating = nil
        let oldSlots = slots
        let oldCapacity = capacity
        slots = Self.allocateSlots(newCapacity)
        capacity = newCapacity
        growthThreshold = Self.threshold(newCapacity)
        for i in 0..<oldCapacity {
            let key = oldSlots[i]
            if key == .zero { continue }
            var index = home(key.hash64)
            while slots[index] != .zero {
                index += 1
                if index == capacity { index = 0 }
            }
            slots[index] = key
        }
        PageMemory.deallocate(oldSlots, byteCount: oldCapacity * MemoryLayout<Key>.stride)
    }

    /// A table for `count` keys at the planned load (at least 16 slots).
    @usableFromInline
    static func capacity(for count: Int) -> Int {
        max(16, Int((Double(count) / plannedLoad).rounded(.up)) + 1)
    }

    static func threshold(_ capacity: Int) -> Int {
        min(capacity - 1, Int(Double(capacity) * maximumLoad))
    }

    static func allocateSlots(_ capacity: Int) -> UnsafeMutablePointer<Key> {
        // All-zero bytes are the empty key (`FlatSetKey.zero`).
        PageMemory.allocateZeroed(byteCount: capacity * MemoryLayout<Key>.stride)
            .bindMemory(to: Key.self, capacity: capacity)
    }
}

/// A 64-bit key, for (site, person) pairs.
@usableFromInline
struct PairKey: FlatSetKey, Sendable {
    @usableFromInline var value: UInt64
    @inlinable init(_ value: UInt64) { self.value = value }
    @inlinable init(site: UInt32, person: UInt32) {
        value = UInt64(site) << 32 | UInt64(person)
    }
    @inlinable static var zero: PairKey { PairKey(0) }
    @inlinable var hash64: UInt64 { ByteHash.mix(value) }
    @inlinable var site: UInt32 { UInt32(truncatingIfNeeded: value >> 32) }
    @inlinable var person: UInt32 { UInt32(truncatingIfNeeded: value) }
}

/// A 128-bit key: a UUID id in binary form.
@usableFromInline
struct UUIDKey: FlatSetKey, Sendable {
    @usableFromInline var high: UInt64
    @usableFromInline var low: UInt64
    @inlinable init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }
    @inlinable static var zero: UUIDKey { UUIDKey(high: 0, low: 0) }
    @inlinable var hash64: UInt64 { ByteHash.mix(high ^ (low &* ByteHash.k1)) }
    /// What a checkpoint stores of a UUID id, beside the offset of its line
    /// (see `CheckpointedIDs`): the high half of `hash64`. It is part of the
    /// checkpoint format, so `hash64` cannot change without a new format
    /// version (a test pins known values).
    @inlinable var fingerprint: UInt32 { CheckpointedIDs.fingerprint(ofHash: hash64) }
}
