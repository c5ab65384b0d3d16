import Foundation
import SitesumStore
import Testing

@Suite struct InputFingerprintTests {
    func fingerprint(_ path: String, upTo offset: UInt64) throws -> UInt64 {
        try withFile(path) { try InputFingerprint.compute(file: $0, upTo: offset) }
    }

    @Test func sameBytesSameValueInAnyFile() throws {
        let directory = try TemporaryDirectory()
        var generator = SeededGenerator(seed: 7)
        let data = randomBytes(700_000, using: &generator)
        try writeFile(directory.file("a"), data)
        try writeFile(directory.file("b"), data)
        for offset: UInt64 in [0, 1, 100, 65_536, 131_072, 131_073, 700_000] {
            let a = try fingerprint(directory.file("a"), upTo: offset)
            #expect(a == (try fingerprint(directory.file("b"), upTo: offset)))
            #expect(a == (try fingerprint(directory.file("a"), upTo: offset)))
        }
    }

    @Test func theOffsetIsPartOfTheValue() throws {
        let directory = try TemporaryDirectory()
        try writeFile(directory.file("zeros"), [UInt8](repeating: 0, count: 300_000))
        var seen = Set<UInt64>()
        for offset: UInt64 in [0, 1, 2, 4096, 65_536, 200_000, 300_000] {
            seen.insert(try fingerprint(directory.file("zeros"), upTo: offset))
        }
        #expect(seen.count == 7)
    }

    @Test func oneByteChangeInTheFirstOrLast64KiBChangesIt() throws {
        let directory = try TemporaryDirectory()
        var generator = SeededGenerator(seed: 8)
        let data = randomBytes(1_000_000, using: &generator)
        let offset: UInt64 = 900_000
        let path = directory.file("input")
        try writeFile(path, data)
        let original = try fingerprint(path, upTo: offset)
        let positions = [0, 1, 4_095, 30_000, 65_535, 834_464, 850_000, 899_999]
            + (0..<20).map { _ in Int.random(in: 0..<65_536, using: &generator) }
            + (0..<20).map { _ in Int.random(in: 834_464..<900_000, using: &generator) }
        for position in positions {
            var changed = data
            changed[position] ^= 0x01
            try writeFile(path, changed)
            #expect(try fingerprint(path, upTo: offset) != original, "byte \(position)")
        }
    }

    @Test func appendingAfterTheOffsetChangesNothing() throws {
        let directory = try TemporaryDirectory()
        var generator = SeededGenerator(seed: 9)
        let data = randomBytes(400_000, using: &generator)
        let path = directory.file("input")
        for offset: UInt64 in [0, 10, 70_000, 400_000] {
            try writeFile(path, data)
            let before = try fingerprint(path, upTo: offset)
            try writeFile(path, data + randomBytes(100_000, using: &generator))
            #expect(try fingerprint(path, upTo: offset) == before)
            // Bytes after the offset changed in place: still the same.
            var rewritten = data
            if Int(offset) < rewritten.count { rewritten[Int(offset)] ^= 0xFF }
            try writeFile(path, rewritten)
            #expect(try fingerprint(path, upTo: offset) == before)
        }
    }

    @Test func aFileShorterThanTheOffsetGetsAnotherValue() throws {
        let directory = try TemporaryDirectory()
        var generator = SeededGenerator(seed: 10)
        let data = randomBytes(200_000, using: &generator)
        let path = directory.file("input")
        try writeFile(path, data)
        let full = try fingerprint(path, upTo: 200_000)
        try writeFile(path, Array(data[..<150_000]))
        #expect(try fingerprint(path, upTo: 200_000) != full)
    }

    @Test func samplesStayBeforeTheOffsetAndSmall() {
        for offset: UInt64 in [0, 1, 65_536, 65_537, 131_072, 131_073, 140_000, 1 << 30, 1 << 40, UInt64(Int64.max)] {
            let ranges = InputFingerprint.sampleRanges(upTo: offset)
            let total = ranges.reduce(UInt64(0)) { $0 + UInt64($1.count) }
            #expect(total <= 200 * 1024, "offset \(offset)")
            #expect(ranges.allSatisfy { $0.upperBound <= offset })
            #expect(ranges.first == 0..<min(offset, 65_536))
            #expect(ranges.last == (offset > 65_536 ? offset - 65_536 : 0)..<offset)
            if offset >= 1 << 30 {
                #expect(ranges.count == 18)
                // Inner samples are spread out: strictly increasing and evenly spaced.
                let inner = ranges[1..<17].map(\.lowerBound)
                #expect(inner == inner.sorted())
                #expect(Set(inner).count == 16)
            }
        }
    }
}
