import SitesumPrefetch

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
/// with the same top bits. `add` only appends an entry to its own region (in
/// a compact form: the fingerprint's remaining bits and the offset); at the
/// load factor the table is sized for, a region has room for all of its
/// entries. Two threads may add at once, each on its own lane: lane 0 fills
/// the first half of each region, lane 1 the second, each with its own
/// staging positions. `finishLoading` then takes the regions one at a time
/// (on both cores, in pieces of consecutive regions): moves a region's staged
/// entries (lane 0's, then lane 1's) out to a scratch buffer, sorts them by
/// home with a counting sort and writes each where linear probing puts keys
/// inserted in that order, all in cache and without probing. Entries that
/// would pass their region's end, and the rare ones that did not fit their
/// half of a region or whose offset is too large for the compact form, are
/// inserted the ordinary way at the end. The result is a table like any
/// other; no memory beyond it and one region's scratch per thread is needed.
public final class CheckpointedIDs: @unchecked Sendable {
    // @unchecked: loaded by at most two threads, each adding only on its own
    // lane (which writes only its own half of each region and its own
    // `Lane`); once `finishLoading` returned it is only read (`mayHold`,
    // `firstCandidate`), by any number of threads.
    @usableFromInline let slots: UnsafeMutablePointer<UInt64>
    @usableFromInline let capacity: Int
    /// The most entries the table takes (the count it was sized for).
    let limit: Int
    /// Entries added (on both lanes; once loaded).
    var count: Int { lanes[0].count + lanes[1].count }
    /// The tags a lookup compares: all 16 bits, or fewer in tests, so that
    /// different ids often share a tag and the comparison of the ids
    /// themselves is exercised.
    @usableFromInline let tagMask: UInt64
    /// The background population of the table's pages (see `PageMemory`).
    private let populating: WorkerThread?

    /// Regions: the fingerprints with the same top `regionBits` bits.
    private let regionBits: Int
    /// The first slot of each region, and the capacity after the last.
    private let regionStarts: UnsafeMutablePointer<Int>
    /// What each lane has added: `add(fingerprints:offsets:lane:)`.
    private let lanes: [Lane]
    /// Whether `finishLoading` has run.
    @usableFromInline private(set) var isLoaded = false
    /// How many were (for tests: each path is exercised).
    private(set) var insertedOneByOne = 0
    /// Bytes of table a region covers, about: within the second-level cache.
    static let regionBytes = 128 << 10

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
        lanes = [Lane(regions: 1 << bits), Lane(regions: 1 << bits)]
        for region in 0..<(1 << bits) {
            regionStarts[region] = home(UInt32(truncatingIfNeeded: UInt64(region) << UInt64(32 - bits)))
        }
        regionStarts[1 << bits] = capacity
        // Lane 0 stages from a region's first slot, lane 1 from its middle.
        for region in 0..<(1 << bits) {
            lanes[0].next[region] = regionStarts[region]
            lanes[0].ends[region] = middle(region)
            lanes[1].next[region] = middle(region)
            lanes[1].ends[region] = regionStarts[region + 1]
        }
    }

    deinit {
        for lane in lanes { lane.deallocate() }
        regionStarts.deallocate()
        populating?.join()
        PageMemory.deallocate(slots, byteCount: capacity * 8)
    }

    /// The fingerprint of an id whose 64-bit hash is `hash` (`UUIDKey.hash64`
    /// for a UUID, `ByteHash.hash` of the bytes for any other id): its high
    /// half. Part of the checkpoint format, as those hashes are.
    @inlinable @inline(__always)
    static func fingerprint(ofHash hash: UInt64) -> UInt32 {
        UInt32(truncatingIfNeeded: hash >> 32)
    }

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
    /// found on the lines at `offsets`, on `lane` (0 or 1): the two lanes
    /// may be added to by two threads at once, one each. False, adding
    /// nothing, when the lane would hold more than the table's limit or an
    /// offset is too large: the checkpoint holds more ids than it counted
    /// events, which only damage or a writer bug can cause. (That both lanes
    /// together hold more, `finishLoading` tells.)
    func add(fingerprints: UnsafeRawBufferPointer, offsets: UnsafeBufferPointer<UInt64>, lane laneNumber: Int = 0) -> Bool {
        precondition(!isLoaded, "adding to checkpointed ids after loading")
        let lane = lanes[laneNumber]
        let total = offsets.count
        precondition(fingerprints.count == total * 4, "a fingerprint for each offset")
        guard total <= limit - lane.count, offsets.allSatisfy({ $0 <= Self.maximumOffset }) else { return false }
        lane.count += total
        let next = lane.next, ends = lane.ends, slots = self.slots
        // Shifts by at most 48 (see `regionBits`): the masking shifts, which
        // need no check for a count of 64 or more, give the same results.
        let fingerprintBits = UInt64(self.fingerprintBits), offsetBits = UInt64(self.offsetBits)
        let restMask: UInt64 = (1 &<< fingerprintBits) &- 1
        for i in 0..<total {
            let fingerprint = UInt64(UInt32(littleEndian: fingerprints.loadUnaligned(fromByteOffset: i &* 4, as: UInt32.self)))
            let offset = offsets[i]
            // With no region bits the shift is 32: region 0.
            let region = Int(truncatingIfNeeded: fingerprint &>> fingerprintBits)
            let at = next[region]
            if offset &>> offsetBits == 0 && at < ends[region] {
                slots[at] = (fingerprint & restMask) &<< offsetBits | offset
                next[region] = at &+ 1
            } else {
                lane.leftovers.append(CheckpointedID(offset: offset, fingerprint: UInt32(truncatingIfNeeded: fingerprint)))
            }
        }
        return true
    }

    /// Adds one id (see `add(fingerprints:offsets:lane:)`).
    func add(fingerprint: UInt32, offset: UInt64, lane: Int = 0) -> Bool {
        withUnsafeBytes(of: fingerprint.littleEndian) { fingerprints in
            withUnsafePointer(to: offset) {
                add(fingerprints: fingerprints, offsets: UnsafeBufferPointer(start: $0, count: 1), lane: lane)
            }
        }
    }

    /// The entries lane `lane` has staged in `region`: from the start of its
    /// half up to where it stages next.
    private func stagedCount(_ region: Int, lane: Int) -> Int {
        lanes[lane].next[region] - (lane == 0 ? regionStarts[region] : middle(region))
    }

    /// Where lane 1's half of `region` starts.
    @inline(__always)
    private func middle(_ region: Int) -> Int {
        let start = regionStarts[region]
        return start + (regionStarts[region + 1] - start) / 2
    }

    /// Calls `body` with room for `count` offsets of a record being added on
    /// `lane`: memory of the lane's own, reused from record to record.
    func withOffsets<Result, Failure: Error>(
        lane: Int, count: Int, _ body: (UnsafeMutableBufferPointer<UInt64>) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        let lane = lanes[lane]
        if lane.offsets.count < count { lane.offsets = [UInt64](repeating: 0, count: count) }
        return try lane.offsets.withUnsafeMutableBufferPointer { offsets throws(Failure) -> Result in
            try body(UnsafeMutableBufferPointer(rebasing: offsets[..<count]))
        }
    }

    /// One lane's staging: where it stages next in each region's half, entries
    /// to insert the ordinary way when loading ends, how many it added, and
    /// room for a record's offsets.
    private final class Lane {
        /// Per region, the slot the next entry is staged in, and the end of
        /// the lane's half: two loads an entry in `add`, and no arithmetic on
        /// the region's bounds, which a count per region needed (and staging,
        /// a tight loop over millions of entries, measurably paid for).
        let next: UnsafeMutablePointer<Int>
        let ends: UnsafeMutablePointer<Int>
        var leftovers: [CheckpointedID] = []
        var count = 0
        var offsets: [UInt64] = []

        init(regions: Int) {
            next = .allocate(capacity: regions)
            next.initialize(repeating: 0, count: regions)
            ends = .allocate(capacity: regions)
            ends.initialize(repeating: 0, count: regions)
        }

        func deallocate() {
            next.deallocate()
            ends.deallocate()
        }
    }

    /// Lays out the staged entries and inserts the leftovers; lookups may
    /// begin. False, laying out nothing, when the two lanes together hold
    /// more entries than the table's limit (see `add`); the table stays
    /// unusable.
    ///
    /// The regions are laid out in pieces of consecutive regions, which the
    /// threads of `ParallelWork` take as they come free: each region's
    /// entries stay in its own slots, so the regions are independent. (In
    /// two fixed halves, the thread whose half shared its core with another
    /// of the resume's threads ended well after the other.) The leftovers are
    /// inserted in the pieces' order, so the table is the same however the
    /// threads' timing went.
    func finishLoading() -> Bool {
        guard !isLoaded else { return true }
        guard count <= limit else { return false }
        let regions = 1 << regionBits
        let perPiece = max(1, regions / Self.layoutPieces)
        let pieces = stride(from: 0, to: regions, by: perPiece).map { $0..<min(regions, $0 + perPiece) }
        let most = (0..<regions).reduce(0) { max($0, stagedCount($1, lane: 0) + stagedCount($1, lane: 1)) }
        let widest = (0..<regions).reduce(0) { max($0, regionStarts[$1 + 1] - regionStarts[$1]) }
        let shared = UncheckedPieces(table: self, pieces: pieces)
        ParallelWork.perform(iterations: pieces.count, role: "layout", scratch: { Scratch(entries: most, slots: widest) }) {
            piece, scratch in
            let table = shared.table
            var leftovers: [CheckpointedID] = []
            for region in shared.pieces[piece] {
                table.layOut(region, low: table.stagedCount(region, lane: 0), high: table.stagedCount(region, lane: 1),
                             scratch: scratch, leftovers: &leftovers)
            }
            shared.leftovers[piece] = leftovers
        }
        isLoaded = true
        let leftovers = lanes[0].leftovers + lanes[1].leftovers + shared.allLeftovers
        for lane in lanes { lane.leftovers = [] }
        for entry in leftovers { insert(fingerprint: entry.fingerprint, offset: entry.offset) }
        insertedOneByOne = leftovers.count
        return true
    }

    /// About how many pieces `finishLoading` cuts the regions into: enough
    /// that the threads end close together, few enough that taking a piece
    /// costs nothing beside laying it out.
    static let layoutPieces = 64

    /// Room for laying out one region (`layOut`): its staged entries twice
    /// (as staged, and sorted), their keys twice (the same orders), and a
    /// counter per slot. One for each thread of `finishLoading`.
    private final class Scratch {
        let staged: UnsafeMutablePointer<UInt64>
        let sorted: UnsafeMutablePointer<UInt64>
        let keys: UnsafeMutablePointer<Int32>
        let sortedKeys: UnsafeMutablePointer<Int32>
        let starts: UnsafeMutablePointer<Int32>

        init(entries: Int, slots: Int) {
            staged = .allocate(capacity: max(1, entries))
            sorted = .allocate(capacity: max(1, entries))
            keys = .allocate(capacity: max(1, entries))
            sortedKeys = .allocate(capacity: max(1, entries))
            starts = .allocate(capacity: slots + 2)
        }

        deinit {
            staged.deallocate()
            sorted.deallocate()
            keys.deallocate()
            sortedKeys.deallocate()
            starts.deallocate()
        }
    }

    /// Lays out the entries staged in `region` (`low` by lane 0 at its
    /// start, `high` by lane 1 at its middle): moves them out
    /// to scratch, lane 0's first, sorts them by home (a counting sort on the home's slot in
    /// the region, all in cache) and puts each where linear probing puts keys
    /// inserted in that order, at its home or just after the one before; no
    /// probing, so no branch mispredicted on every slot. An entry that would
    /// pass the region's end waits in `leftovers`, to be inserted the
    /// ordinary way.
    private func layOut(_ region: Int, low: Int, high: Int, scratch: Scratch, leftovers: inout [CheckpointedID]) {
        let count = low + high
        guard count > 0 else { return }
        let start = regionStarts[region]
        let regionEnd = regionStarts[region + 1]
        let width = regionStarts[region + 1] - start
        let staged = scratch.staged, sorted = scratch.sorted, starts = scratch.starts
        let keys = scratch.keys, sortedKeys = scratch.sortedKeys
        staged.update(from: slots + start, count: low)
        (slots + start).update(repeating: 0, count: low)
        (staged + low).update(from: slots + middle(region), count: high)
        (slots + middle(region)).update(repeating: 0, count: high)
        let base = UInt64(region) &<< UInt64(fingerprintBits)
        // Masking shifts, as in `add`.
        let offsetBits = UInt64(self.offsetBits)
        let offsetMask: UInt64 = (1 &<< offsetBits) &- 1
        func fingerprint(_ value: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: base | value &>> offsetBits) }
        // An entry's key: its home's slot in the region, computed once. A
        // home is at most the region's end (the next region's first home).
        starts.update(repeating: 0, count: width + 2)
        for i in 0..<count {
            let at = home(fingerprint(staged[i])) &- start
            keys[i] = Int32(truncatingIfNeeded: at)
            starts[at &+ 1] &+= 1
        }
        // Now the entries with a key below each slot's.
        var running: Int32 = 0
        for slot in 0...(width + 1) {
            running &+= starts[slot]
            starts[slot] = running
        }
        for i in 0..<count {
            let at = Int(keys[i])
            let to = Int(starts[at])
            sorted[to] = staged[i]
            sortedKeys[to] = keys[i]
            starts[at] = Int32(truncatingIfNeeded: to &+ 1)
        }
        var next = start
        for i in 0..<count {
            let value = sorted[i]
            let position = max(start &+ Int(sortedKeys[i]), next)
            if position >= regionEnd {
                for j in i..<count {
                    leftovers.append(CheckpointedID(offset: sorted[j] & offsetMask, fingerprint: fingerprint(sorted[j])))
                }
                return
            }
            slots[position] = Self.slot(fingerprint: fingerprint(value), offset: value & offsetMask)
            next = position + 1
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

    /// Starts loading the cache lines a lookup of `fingerprint` probes
    /// first (see `FlatSet.prefetch`): its home slot's and the next. A
    /// lookup of an id the table does not hold (most of a resumed run's)
    /// probes to the next empty slot, about five slots at the table's load,
    /// and so runs into the next line about half the time.
    @inlinable @inline(__always)
    func prefetch(_ fingerprint: UInt32) {
        SitesumPrefetch.prefetchLineAndNext(slots + home(fingerprint))
    }

    /// Whether an entry's tag matches `fingerprint`'s, so that the id may be
    /// a checkpointed one (`firstCandidate` then says which). Most ids of a
    /// resumed run are new, and this is all they need; the decoding threads
    /// ask it (`DecodedBatch.decodeStaged`), sparing the applying thread the
    /// table's cache misses.
    @inlinable
    func mayHold(_ fingerprint: UInt32) -> Bool {
        firstCandidate(fingerprint) { _, _ in true }
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

/// What the threads of `CheckpointedIDs.finishLoading` share: a piece is
/// taken by one thread, which lays out only that piece's regions (the lanes'
/// staging positions are only read) and writes only the piece's element of
/// `leftovers` (memory of its own, not an array the threads would mutate),
/// so nothing is written by two.
private final class UncheckedPieces: @unchecked Sendable {
    let table: CheckpointedIDs
    let pieces: [Range<Int>]
    let leftovers: UnsafeMutablePointer<[CheckpointedID]>

    init(table: CheckpointedIDs, pieces: [Range<Int>]) {
        self.table = table
        self.pieces = pieces
        leftovers = .allocate(capacity: pieces.count)
        leftovers.initialize(repeating: [], count: pieces.count)
    }

    deinit { leftovers.deinitialize(count: pieces.count).deallocate() }

    /// Every piece's leftovers, in the pieces' order.
    var allLeftovers: [CheckpointedID] { (0..<pieces.count).flatMap { leftovers[$0] } }
}
