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
/// An open-addressing table with linear probing of 64-bit slots,
/// `(offset + 1) << 16 | tag`, where the tag is the fingerprint's low 16 bits
/// and the slot's home comes from the whole fingerprint (multiply-shift, as in
/// `FlatSet`, so homes grow with fingerprints); zero is an empty slot. Half
/// the size of a slot of `FlatSet<UUIDKey>`. The home cannot be recomputed
/// from a slot, so the table never grows: it is sized once, for at most the
/// number of events the checkpoint counted.
///
/// **Loading builds the table in place, region by region.** A resume adds
/// millions of entries, and each one inserted where it arrives costs a cache
/// and TLB miss in a table of a hundred megabytes and more: on the machine
/// sitesum is measured on, most of a resume's time. Instead, the table is cut
/// into regions of a few hundred kilobytes, the homes of the fingerprints
/// with the same top bits. `add` only appends an entry to the start of its
/// own region (in a compact form: the fingerprint's remaining bits and the
/// offset); at the load factor the table is sized for, a region has room for
/// all of its entries. `finishLoading` then takes the regions one at a time,
/// in cache: sorts its entries by home (radix passes through a small scratch
/// buffer) and lays them out where linear probing puts keys inserted in that
/// order — each at its home, or just after the one before — moving them from
/// the last to the first so none is overwritten. Entries that would run past
/// their region, and the rare ones that did not fit or whose offset is too
/// large for the compact form, are inserted the ordinary way at the end. The
/// result is a table like any other; no memory beyond it is needed.
@usableFromInline
final class CheckpointedIDs {
    @usableFromInline let slots: UnsafeMutablePointer<UInt64>
    @usableFromInline let capacity: Int
    /// The most entries the table takes (the count it was sized for).
    let limit: Int
    /// Entries added.
    @usableFromInline private(set) var count = 0
    /// The tags a lookup compares: all 16 bits, or fewer in tests, so that
    /// different ids often share a tag and the comparison of the ids
    /// themselves is exercised.
    @usableFromInline let tagMask: UInt64
    /// The background population of the table's pages (see `PageMemory`).
    private let populating: DispatchGroup?

    /// Regions: the fingerprints with the same top `regionBits` bits.
    private let regionBits: Int
    /// The first slot of each region, and the capacity after the last.
    private let regionStarts: UnsafeMutablePointer<Int>
    /// Entries staged at the start of each region; nil once loaded.
    private var staged: UnsafeMutablePointer<Int>?
    /// Entries to insert the ordinary way when loading ends.
    private var leftovers: [CheckpointedID] = []
    /// How many were (for tests: each path is exercised).
    private(set) var insertedOneByOne = 0
    /// Bytes of table a region covers, about: within the second-level cache.
    static let regionBytes = 256 << 10

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
        var bits = 0
        while bits < 16 && (capacity * 8) >> bits > Self.regionBytes { bits += 1 }
        regionBits = bits
        regionStarts = .allocate(capacity: (1 << bits) + 1)
        staged = .allocate(capacity: 1 << bits)
        staged?.initialize(repeating: 0, count: 1 << bits)
        for region in 0..<(1 << bits) {
            regionStarts[region] = home(UInt32(truncatingIfNeeded: UInt64(region) << UInt64(32 - bits)))
        }
        regionStarts[1 << bits] = capacity
    }

    deinit {
        staged?.deallocate()
        regionStarts.deallocate()
        populating?.wait()
        PageMemory.deallocate(slots, byteCount: capacity * 8)
    }

    /// Whether loading has ended (`finishLoading`) and lookups may begin.
    @usableFromInline var isLoaded: Bool { staged == nil }

    @inlinable @inline(__always)
    func home(_ fingerprint: UInt32) -> Int {
        Int(truncatingIfNeeded: (UInt64(fingerprint) << 32).multipliedFullWidth(by: UInt64(truncatingIfNeeded: capacity)).high)
    }

    /// A slot's value for an entry.
    @inline(__always)
    static func slot(fingerprint: UInt32, offset: UInt64) -> UInt64 {
        (offset + 1) << 16 | UInt64(fingerprint & 0xFFFF)
    }

    // MARK: - Loading

    /// Bits a staged entry keeps of its fingerprint (those below the region's)
    /// and of its offset.
    private var fingerprintBits: Int { 32 - regionBits }
    private var offsetBits: Int { 32 + regionBits }

    /// Adds the ids with `fingerprints` (little-endian u32s, back to back)
    /// found on the lines at `offsets`. False, adding nothing, when the
    /// table would be full or an offset is too large: the checkpoint holds
    /// more ids than it counted events, which only damage or a writer bug
    /// can cause.
    func add(fingerprints: UnsafeRawBufferPointer, offsets: UnsafeBufferPointer<UInt64>) -> Bool {
        guard let staged else { preconditionFailure("adding to checkpointed ids after loading") }
        let total = offsets.count
        precondition(fingerprints.count == total * 4, "a fingerprint for each offset")
        guard total <= limit - count, offsets.allSatisfy({ $0 <= Self.maximumOffset }) else { return false }
        count += total
        let fingerprintBits = UInt64(self.fingerprintBits), offsetBits = UInt64(self.offsetBits)
        let restMask: UInt64 = (1 << fingerprintBits) - 1
        for i in 0..<total {
            let fingerprint = UInt64(UInt32(littleEndian: fingerprints.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)))
            let offset = offsets[i]
            // With no region bits the shift is 32: region 0.
            let region = Int(truncatingIfNeeded: fingerprint >> fingerprintBits)
            let filled = staged[region]
            let at = regionStarts[region] + filled
            if offset >> offsetBits == 0 && at < regionStarts[region + 1] {
                slots[at] = (fingerprint & restMask) << offsetBits | offset
                staged[region] = filled + 1
            } else {
                leftovers.append(CheckpointedID(offset: offset, fingerprint: UInt32(truncatingIfNeeded: fingerprint)))
            }
        }
        return true
    }

    /// Adds one id (see `add(fingerprints:offsets:)`).
    func add(fingerprint: UInt32, offset: UInt64) -> Bool {
        withUnsafeBytes(of: fingerprint.littleEndian) { fingerprints in
            withUnsafePointer(to: offset) { add(fingerprints: fingerprints, offsets: UnsafeBufferPointer(start: $0, count: 1)) }
        }
    }

    /// Lays out the staged entries and inserts the leftovers; lookups may begin.
    func finishLoading() {
        guard let staged else { return }
        let regions = 1 << regionBits
        let most = (0..<regions).reduce(0) { max($0, staged[$1]) }
        var scratch = [UInt64](repeating: 0, count: most)
        var positions = [Int](repeating: 0, count: most)
        // From the last region to the first: a region's entries that run past
        // its end become leftovers, and the next region is then already laid
        // out, so inserting them there the ordinary way is correct.
        for region in (0..<regions).reversed() {
            layOut(region, count: staged[region], scratch: &scratch, positions: &positions)
        }
        staged.deallocate()
        self.staged = nil
        for entry in leftovers { insert(fingerprint: entry.fingerprint, offset: entry.offset) }
        insertedOneByOne = leftovers.count
        leftovers = []
    }

    /// Sorts the entries staged at the start of `region` by home and moves
    /// each to where linear probing puts it.
    private func layOut(_ region: Int, count: Int, scratch: inout [UInt64], positions: inout [Int]) {
        guard count > 0 else { return }
        let start = regionStarts[region]
        let end = regionStarts[region + 1]
        let base = UInt64(region) << UInt64(fingerprintBits)
        let offsetMask: UInt64 = (1 << UInt64(offsetBits)) - 1
        let offsetBits = UInt64(self.offsetBits)
        func fingerprint(_ value: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: base | value >> offsetBits) }
        func key(_ value: UInt64) -> Int { home(fingerprint(value)) - start }
        // Least significant digit first, eight bits a pass, between the
        // region's start and the scratch buffer, an even number of passes.
        var passes = 0
        while (end - start) >> (8 * passes) > 0 { passes += 1 }
        passes += passes % 2
        scratch.withUnsafeMutableBufferPointer { scratch in
            let region = slots + start
            for pass in 0..<passes {
                let (from, to) = pass % 2 == 0 ? (region, scratch.baseAddress!) : (scratch.baseAddress!, region)
                let shift = 8 * pass
                var starts = [Int](repeating: 0, count: 257)
                for i in 0..<count { starts[((key(from[i]) >> shift) & 0xFF) + 1] += 1 }
                for digit in 1...256 { starts[digit] += starts[digit - 1] }
                for i in 0..<count {
                    let digit = (key(from[i]) >> shift) & 0xFF
                    to[starts[digit]] = from[i]
                    starts[digit] += 1
                }
            }
        }
        // Where each goes: its home, or the slot after the one before.
        var placed = 0
        var next = start
        while placed < count {
            let position = max(start + key(slots[start + placed]), next)
            if position >= end { break }
            positions[placed] = position
            next = position + 1
            placed += 1
        }
        for i in placed..<count {
            let value = slots[start + i]
            slots[start + i] = 0
            leftovers.append(CheckpointedID(offset: value & offsetMask, fingerprint: fingerprint(value)))
        }
        // Last first: each moves forward, never onto one not yet moved.
        for i in stride(from: placed - 1, through: 0, by: -1) {
            let value = slots[start + i]
            slots[start + i] = 0
            slots[positions[i]] = Self.slot(fingerprint: fingerprint(value), offset: value & offsetMask)
        }
    }

    /// Inserts one entry the ordinary way (the table must be laid out).
    private func insert(fingerprint: UInt32, offset: UInt64) {
        var index = home(fingerprint)
        while slots[index] != 0 {
            index += 1
            if index == capacity { index = 0 }
        }
        slots[index] = Self.slot(fingerprint: fingerprint, offset: offset)
    }

    // MARK: - Lookups

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
        precondition(isLoaded, "looking up checkpointed ids before `finishLoading`")
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
