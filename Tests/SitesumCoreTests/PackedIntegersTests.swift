import SitesumGenerator
import Testing
@testable import SitesumCore

/// The compact encodings of checkpoint columns: frame-of-reference packing
/// and offset deltas read back exactly, at every width and at the ends of
/// the integer ranges, and take the room they promise.
@Suite struct PackedIntegersTests {
    func packed(_ values: [Int64]) -> [UInt8] {
        var writer = ByteWriter()
        values.withUnsafeBufferPointer { writer.writePacked($0) }
        return writer.bytes
    }

    func unpacked(_ bytes: [UInt8], count: Int) throws -> [Int64] {
        try bytes.withUnsafeBytes { raw in
            var reader = ByteReader(raw)
            var values: [Int64] = []
            try reader.readPacked(count: count) { values.append($0) }
            #expect(reader.isAtEnd)
            return values
        }
    }

    /// Every width from 0 to 64 bits, each with runs of several lengths, so
    /// both the word-at-a-time path and the byte-at-a-time end are used.
    @Test(arguments: 0...64)
    func everyWidthRoundTrips(_ width: Int) throws {
        var random = SplitMix64(state: UInt64(width) &* 977)
        let span: UInt64 = width == 64 ? .max : (1 << UInt64(width)) - 1
        for count in [1, 2, 7, 8, 9, 63, 64, 65, 1000] {
            // Values from `low` to `low + span` in signed order, anywhere in the
            // Int64 range: offsets from Int64.min, in offset binary.
            let room = UInt64.max - span
            let low = room == .max ? random.next() : random.next() % (room + 1)
            func value(_ step: UInt64) -> Int64 { Int64(bitPattern: (low + step) ^ (1 << 63)) }
            var values = (0..<count).map { _ in value(random.next() & span) }
            // The range's ends, so the width is exactly `width`.
            values[0] = value(0)
            if count > 1 { values[count - 1] = value(span) }
            let bytes = packed(values)
            let expectedWidth = count > 1 ? width : 0
            #expect(bytes.count == 9 + (count * expectedWidth + 7) / 8)
            #expect(try unpacked(bytes, count: count) == values)
        }
    }

    @Test func extremesAndEqualValues() throws {
        let cases: [[Int64]] = [
            [.min, .max], [.max, .min, 0], [-1, 0, 1], [.min], [.max],
            Array(repeating: 42, count: 100), Array(repeating: .min, count: 3),
        ]
        for values in cases {
            #expect(try unpacked(packed(values), count: values.count) == values)
        }
        #expect(packed(Array(repeating: 7, count: 1000)).count == 9)
        #expect(packed([]).isEmpty)
        #expect(try unpacked([], count: 0) == [])
    }

    /// A day of timestamps in seconds takes 17 bits each, not 64.
    @Test func aDayOfTimestampsTakesSeventeenBitsEach() {
        let values = (0..<1000).map { Int64(1_700_000_000 + ($0 * 86) % 86_400) }
        #expect(packed(values).count == 9 + (1000 * 17 + 7) / 8)
    }

    @Test func truncatedOrTooWideIsAnError() {
        let bytes = packed((0..<100).map { Int64($0) })
        #expect(throws: DecodingError.self) { try unpacked(Array(bytes.dropLast()), count: 100) }
        var tooWide = bytes
        tooWide[8] = 65
        #expect(throws: DecodingError.self) { try unpacked(tooWide, count: 100) }
    }

    func deltas(_ values: [UInt64]) throws -> (bytes: Int, back: [UInt64]) {
        var writer = ByteWriter()
        values.withUnsafeBufferPointer { writer.writeDeltas($0) }
        return try writer.bytes.withUnsafeBytes { raw in
            var reader = ByteReader(raw)
            var back: [UInt64] = []
            try reader.readDeltas(count: values.count) { back.append($0) }
            #expect(reader.isAtEnd)
            return (writer.bytes.count, back)
        }
    }

    @Test func deltasRoundTripInAnyOrder() throws {
        var random = SplitMix64(state: 5)
        let cases: [[UInt64]] = [
            [], [0], [.max], [0, .max, 0, .max], [5, 4, 3, 2, 1],
            (0..<500).map { _ in random.next() },
            (0..<500).map { UInt64($0) * 150 },
        ]
        for values in cases {
            #expect(try deltas(values).back == values)
        }
    }

    /// The bytes are the first value (u64) and then each step, zigzagged,
    /// as LEB128, byte for byte as an obvious encoder writes them (what
    /// checkpoints already on disk hold), around every varint length.
    @Test func deltasAreZigzagLEB128Steps() {
        var values: [UInt64] = [1000]
        for step: Int64 in [0, 1, -1, 63, -64, 64, -65, 127, 8191, -8192, 8192, -8193, 1 << 20, -(1 << 40), .max, .min] {
            values.append(values.last! &+ UInt64(bitPattern: step))
        }
        var expected: [UInt8] = withUnsafeBytes(of: values[0].littleEndian) { Array($0) }
        for (previous, current) in zip(values, values.dropFirst()) {
            let step = Int64(bitPattern: current &- previous)
            var zigzag = UInt64(bitPattern: (step << 1) ^ (step >> 63))
            repeat {
                expected.append(UInt8(zigzag & 0x7F) | (zigzag >= 0x80 ? 0x80 : 0))
                zigzag >>= 7
            } while zigzag > 0
        }
        var writer = ByteWriter()
        values.withUnsafeBufferPointer { writer.writeDeltas($0) }
        #expect(writer.bytes == expected)
    }

    /// A varint alone is LEB128 byte for byte, as an obvious encoder writes
    /// it, around every length from one byte to ten, and reads back.
    @Test func varintsAreLEB128() throws {
        var values: [UInt64] = [0, .max]
        for bits in stride(from: 7, through: 63, by: 7) { values += [(1 << bits) - 1, 1 << bits] }
        for value in values {
            var expected: [UInt8] = []
            var rest = value
            repeat {
                expected.append(UInt8(rest & 0x7F) | (rest >= 0x80 ? 0x80 : 0))
                rest >>= 7
            } while rest > 0
            var writer = ByteWriter()
            writer.writeVarint(value)
            #expect(writer.bytes == expected, "\(value)")
            try writer.bytes.withUnsafeBytes { raw throws in
                var reader = ByteReader(raw)
                #expect(try reader.readVarint() == value)
                #expect(reader.isAtEnd)
            }
        }
    }

    /// Steps of every varint length read back wherever they sit against the
    /// end of the bytes (the reader takes steps of one and two bytes from an
    /// 8-byte load only where 8 bytes are left), and bytes cut short throw
    /// instead of being read past.
    @Test func deltasReadBackAtEveryDistanceFromTheEnd() throws {
        let steps: [Int64] = [0, 1, -1, 63, -64, 64, -65, 150, 8191, -8192, 8192, -8193, 1 << 20, -(1 << 40), .max, .min, 7]
        for rotation in 0..<steps.count {
            let rotated = Array(steps[rotation...] + steps[..<rotation])
            for count in 1...rotated.count + 1 {
                var values: [UInt64] = [1 << 40]
                for step in rotated.prefix(count - 1) { values.append(values.last! &+ UInt64(bitPattern: step)) }
                #expect(try deltas(values).back == values, "rotation \(rotation), \(count) values")
            }
        }
        var values: [UInt64] = [0]
        for step in steps { values.append(values.last! &+ UInt64(bitPattern: step)) }
        var writer = ByteWriter()
        values.withUnsafeBufferPointer { writer.writeDeltas($0) }
        for cut in 0..<writer.bytes.count {
            Array(writer.bytes[..<cut]).withUnsafeBytes { raw in
                var reader = ByteReader(raw)
                #expect(throws: DecodingError.self, "cut at \(cut)") { try reader.readDeltas(count: values.count) { _ in } }
            }
        }
    }

    /// Offsets of lines about 150 bytes apart take two bytes each.
    @Test func lineOffsetsTakeTwoBytesEach() throws {
        let offsets = (0..<1000).map { UInt64($0) * 150 + 1_000_000_000 }
        #expect(try deltas(offsets).bytes == 8 + 999 * 2)
    }
}
