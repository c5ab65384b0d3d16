import SitesumStore
import Testing

@Suite struct CRC32CTests {
    @Test func knownVectors() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([]) == 0)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).reversed().map { UInt8($0) }) == 0x113F_DB5C)
        #expect(CRC32C.checksum(Array("a".utf8)) == 0xC1D0_4330)
    }

    @Test func continuingFromNothingChangesNothing() {
        let empty = [UInt8]()
        empty.withUnsafeBytes { raw in
            #expect(CRC32C.checksum(raw, continuing: 0x1234_5678) == 0x1234_5678)
        }
    }

    @Test func incrementalEqualsOneShotAtEverySplit() {
        var generator = SeededGenerator(seed: 1)
        let data = randomBytes(301, using: &generator)
        let whole = CRC32C.checksum(data)
        data.withUnsafeBytes { raw in
            for split in 0...raw.count {
                let first = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[..<split]))
                let both = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[split...]), continuing: first)
                #expect(both == whole, "split at \(split)")
            }
            // Three pieces, including unaligned starts.
            for a in stride(from: 0, through: 40, by: 3) {
                for b in stride(from: a, through: 80, by: 7) {
                    var crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[..<a]))
                    crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[a..<b]), continuing: crc)
                    crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[b...]), continuing: crc)
                    #expect(crc == whole)
                }
            }
        }
    }

    @Test func matchesBitwiseReferenceForManyLengthsAndAlignments() {
        var generator = SeededGenerator(seed: 2)
        let data = randomBytes(1100, using: &generator)
        data.withUnsafeBytes { raw in
            for start in 0..<9 {
                for length in [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 255, 1024] {
                    let slice = UnsafeRawBufferPointer(rebasing: raw[start..<(start + length)])
                    #expect(CRC32C.checksum(slice) == bitwiseCRC32C(slice), "start \(start) length \(length)")
                }
            }
        }
    }

    /// The instruction (on x86-64) and the tables give the same checksums, on
    /// every length around the 8- and 16-byte steps and at every alignment.
    @Test func softwareAndDefaultPathsAgree() {
        var generator = SeededGenerator(seed: 3)
        let data = randomBytes(700, using: &generator)
        data.withUnsafeBytes { raw in
            for start in 0..<9 {
                for length in 0..<120 {
                    let slice = UnsafeRawBufferPointer(rebasing: raw[start..<(start + length)])
                    #expect(CRC32C.checksum(slice, continuing: 0x9E37_79B9) == CRC32C.softwareChecksum(slice, continuing: 0x9E37_79B9))
                    #expect(CRC32C.softwareChecksum(slice) == bitwiseCRC32C(slice))
                }
            }
            #expect(CRC32C.checksum(raw) == CRC32C.softwareChecksum(raw))
        }
    }

    /// Buffers long enough for the three streams of the instruction's path
    /// (on x86-64), at lengths around whole pieces of them and at odd
    /// alignments, continuing from a checksum, give the tables' checksums.
    @Test func longBuffersAgreeWithTheTables() {
        var generator = SeededGenerator(seed: 4)
        let piece = 3 * (16 << 10)
        let data = randomBytes(3 * piece + 64, using: &generator)
        data.withUnsafeBytes { raw in
            for start in [0, 3] {
                for length in [piece - 1, piece, piece + 1, piece + 8, 2 * piece + 13, 3 * piece] {
                    let slice = UnsafeRawBufferPointer(rebasing: raw[start..<(start + length)])
                    #expect(CRC32C.checksum(slice) == CRC32C.softwareChecksum(slice), "start \(start) length \(length)")
                    #expect(CRC32C.checksum(slice, continuing: 0x9E37_79B9) == CRC32C.softwareChecksum(slice, continuing: 0x9E37_79B9))
                }
            }
        }
    }

    /// The definition, one bit at a time.
    private func bitwiseCRC32C(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 {
                crc = crc & 1 != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1
            }
        }
        return ~crc
    }
}

@Suite struct CRC32CCombineTests {
    /// Combining the checksums of two parts gives the checksum of the whole,
    /// for empty parts, short ones and ones longer than any table step, and
    /// on both sides of the table of short shifts (4096).
    @Test(arguments: [0, 1, 7, 16, 17, 1000, 4095, 4096, 4097, 65_537])
    func combiningPartsEqualsTheWhole(_ secondLength: Int) {
        var random = SeededGenerator(seed: UInt64(secondLength) + 1)
        for firstLength in [0, 1, 9, 300] {
            let first = (0..<firstLength).map { _ in UInt8.random(in: 0...255, using: &random) }
            let second = (0..<secondLength).map { _ in UInt8.random(in: 0...255, using: &random) }
            let combined = CRC32C.combine(CRC32C.checksum(first), CRC32C.checksum(second), secondCount: second.count)
            #expect(combined == CRC32C.checksum(first + second), "\(firstLength) + \(secondLength)")
        }
    }
}
