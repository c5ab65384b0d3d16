/// A key of a `FlatSet`: a small plain value whose all-zero form marks an
/// empty slot (the zero key itself is tracked on the side).
@usableFromInline
protocol FlatSetKey: Equatable, BitwiseCopyable {
    static var zero: Self { get }
    var hash64: UInt64 { get }
}

/// An open-addressing hash set of fixed-size keys with linear probing.
///
/// The state holds tens of millions of event ids; a `Set` of structs would
/// spend several times the key size per entry. Here a slot is the key itself,
/// the table is one allocation, and the empty marker is the zero key.
@usableFromInline
final class FlatSet<Key: FlatSetKey> {
    @usableFromInline var slots: UnsafeMutablePointer<Key>
    @usableFromInline var mask: Int
    @usableFromInline var storedCount = 0
    @usableFromInline var containsZero = false

    @usableFromInline
    init(minimumCapacity: Int = 16) {
        var capacity = 16
        while capacity * 3 < minimumCapacity * 4 { capacity <<= 1 }
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: .zero, count: capacity)
        mask = capacity - 1
    }

    deinit { slots.deallocate() }

    /// Number of keys in the set.
    @inlinable var count: Int { storedCount + (containsZero ? 1 : 0) }

    /// Inserts `key`; true when it was not there before.
    @inlinable @inline(__always)
    func insert(_ key: Key) -> Bool {
        if key == .zero {
            if containsZero { return false }
            containsZero = true
            return true
        }
        var index = Int(truncatingIfNeeded: key.hash64) & mask
        while true {
            let slot = slots[index]
            if slot == key { return false }
            if slot == .zero { break }
            index = (index + 1) & mask
        }
        slots[index] = key
        storedCount += 1
        if storedCount * 4 > (mask + 1) * 3 { grow() }
        return true
    }

    /// Calls `body` with every key, in no particular order.
    @inlinable
    func forEach(_ body: (Key) throws -> Void) rethrows {
        if containsZero { try body(.zero) }
        for i in 0...mask where slots[i] != .zero { try body(slots[i]) }
    }

    @usableFromInline
    func grow() {
        let oldSlots = slots
        let oldCapacity = mask + 1
        let capacity = oldCapacity * 2
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: .zero, count: capacity)
        mask = capacity - 1
        for i in 0..<oldCapacity {
            let key = oldSlots[i]
            if key == .zero { continue }
            var index = Int(truncatingIfNeeded: key.hash64) & mask
            while slots[index] != .zero { index = (index + 1) & mask }
            slots[index] = key
        }
        oldSlots.deallocate()
    }
}

/// A 64-bit key, for (site, person) pairs.
@usableFromInline
struct PairKey: FlatSetKey {
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
struct UUIDKey: FlatSetKey {
    @usableFromInline var high: UInt64
    @usableFromInline var low: UInt64
    @inlinable init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }
    @inlinable static var zero: UUIDKey { UUIDKey(high: 0, low: 0) }
    @inlinable var hash64: UInt64 { ByteHash.mix(high ^ (low &* ByteHash.k1)) }
}
