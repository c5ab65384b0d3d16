import Testing
@testable import SitesumCore

/// The new ids a checkpoint records, eight bytes each (`PendingIDs`): their
/// offsets read back exactly, also 4 GiB and more apart, and the id records
/// written from them are the records of the ids' fingerprints and whole
/// offsets.
@Suite struct PendingIDsTests {
    static let gib4: UInt64 = 1 << 32

    /// Offsets: the first past the first 4 GiB, steps just below, at and
    /// above 2^32, an equal offset, small steps, and an offset below the one
    /// before (which file order rules out, but which still reads back).
    static let offsets: [UInt64] = {
        var offsets: [UInt64] = [5 * gib4 + 17]
        for step in [1, 150, gib4 - 1, gib4, 3, gib4 + 1, 0, 2 * gib4 + 7, 0xFFFF_FFFF_FFFF - 5 * gib4, 1] {
            offsets.append(offsets.last! + step)
        }
        offsets.append(12)
        offsets.append(13)
        return offsets
    }()

    func list(_ offsets: [UInt64]) -> PendingIDs {
        var list = PendingIDs()
        for (index, offset) in offsets.enumerated() {
            list.append(fingerprint: Self.fingerprint(index), offset: offset)
        }
        return list
    }

    static func fingerprint(_ index: Int) -> UInt32 { UInt32(truncatingIfNeeded: index &* 0x9E37_79B9) }

    /// The offsets `list.store` stores, read back as deltas, with
    /// `fingerprints` checked on the way: over the whole list, or in two
    /// calls split at each index in `splits`, the second going on from where
    /// the first ended.
    func readBack(_ list: PendingIDs, splittingAt split: Int? = nil) throws -> [UInt64] {
        var position = PendingIDs.Position()
        var offsets: [UInt64] = []
        let cuts = [0] + (split.map { [$0] } ?? []) + [list.count]
        for (start, end) in zip(cuts, cuts.dropFirst()) {
            let range = start..<end
            var fingerprints = [UInt8](repeating: 0, count: range.count * 4)
            var deltas = [UInt8](repeating: 0, count: ByteWriter.deltasRoom(count: range.count))
            let stored = fingerprints.withUnsafeMutableBytes { fingerprints in
                deltas.withUnsafeMutableBufferPointer {
                    list.store(range, from: &position, fingerprints: fingerprints.baseAddress!, offsets: $0.baseAddress!)
                }
            }
            try deltas[..<stored].withUnsafeBytes { raw in
                var reader = ByteReader(raw)
                try reader.readDeltas(count: range.count) { offsets.append($0) }
                #expect(reader.isAtEnd)
            }
            fingerprints.withUnsafeBytes { raw in
                for (index, id) in range.enumerated() {
                    #expect(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)) == Self.fingerprint(id))
                }
            }
        }
        return offsets
    }

    @Test func offsetsReadBackExactly() throws {
        var ids = list(Self.offsets)
        defer { ids.deallocate() }
        #expect(ids.count == Self.offsets.count)
        #expect(try readBack(ids) == Self.offsets)
        // Stored in two parts, split anywhere, far offsets on either side.
        for split in 1..<Self.offsets.count {
            #expect(try readBack(ids, splittingAt: split) == Self.offsets)
        }
        // Only the offsets the low halves cannot give are kept whole: the
        // first (past 4 GiB), the steps of 2^32 and more, and the step back.
        #expect(ids.farOffsets.map(\.index) == [0, 4, 6, 8, 9, 11])
        for (index, word) in ids.words.enumerated() {
            #expect(word >> 32 == UInt64(Self.fingerprint(index)))
            #expect(word & 0xFFFF_FFFF == Self.offsets[index] & 0xFFFF_FFFF)
        }
    }

    @Test func offsetsWithinTheFirst4GiBNeedNothingMore() throws {
        let offsets: [UInt64] = [0, 3, 200, 201, 70_000, Self.gib4 - 1]
        var ids = list(offsets)
        defer { ids.deallocate() }
        #expect(try readBack(ids) == offsets)
        #expect(ids.farOffsets.isEmpty)
    }

    /// An emptied list starts again from offset 0, keeping its memory.
    @Test func anEmptiedListStartsOver() throws {
        var ids = list(Self.offsets)
        defer { ids.deallocate() }
        let room = ids.capacityBytes
        ids.removeAll()
        #expect(ids.count == 0 && ids.farOffsets.isEmpty && ids.capacityBytes == room)
        ids.append(fingerprint: Self.fingerprint(0), offset: 40)
        ids.append(fingerprint: Self.fingerprint(1), offset: 90)
        #expect(try readBack(ids) == [40, 90])
        #expect(ids.farOffsets.isEmpty)
    }

    /// The id records of a list are those of its fingerprints and whole
    /// offsets: tag 4, the count, the fingerprints, the offsets as deltas;
    /// over several records, with far offsets inside records and at the
    /// start of one.
    @Test func recordsHoldTheFingerprintsAndWholeOffsets() throws {
        let perRecord = ActivityState.recordBytes / 8
        var offsets: [UInt64] = []
        var offset: UInt64 = 3
        for index in 0..<(2 * perRecord + 1000) {
            // Lines of 90 to 300 bytes, a 4 GiB stretch now and then, and
            // one right where the second record starts.
            offset += index % 50_000 == 49_999 || index == perRecord ? Self.gib4 + UInt64(index) : 90 + UInt64(index % 211)
            offsets.append(offset)
        }
        var ids = list(offsets)
        defer { ids.deallocate() }
        #expect(ids.farOffsets.count > 3)
        var records: [[UInt8]] = []
        try ActivityState.writeIDs(ids) { records.append($0) }
        #expect(records.count == 3)
        var expected: [[UInt8]] = []
        for start in stride(from: 0, to: offsets.count, by: perRecord) {
            let range = start..<min(offsets.count, start + perRecord)
            var writer = ByteWriter()
            writer.write(ActivityState.RecordTag.ids.rawValue)
            writer.write(UInt32(range.count))
            for index in range { writer.write(Self.fingerprint(index)) }
            writer.writeDeltas(count: range.count) { offsets[range.lowerBound + $0] }
            expected.append(writer.bytes)
        }
        #expect(records == expected)
    }
}
