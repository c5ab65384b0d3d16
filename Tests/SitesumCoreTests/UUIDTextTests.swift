import SitesumGenerator
import Testing
@testable import SitesumCore

@Suite struct UUIDTextTests {
    /// The obvious byte-by-byte reading, to compare with.
    func naive(_ text: String) -> UUIDKey? {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return nil }
        var digits: [UInt64] = []
        for (index, byte) in bytes.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                guard byte == UInt8(ascii: "-") else { return nil }
                continue
            }
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits.append(UInt64(byte - 48))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digits.append(UInt64(byte - 87))
            default: return nil
            }
        }
        let high = digits[0..<16].reduce(0) { $0 << 4 | $1 }
        let low = digits[16..<32].reduce(0) { $0 << 4 | $1 }
        return UUIDKey(high: high, low: low)
    }

    func parse(_ text: String) -> UUIDKey? {
        Array(text.utf8).withUnsafeBytes { UUIDText.parse($0) }
    }

    /// The portable reading (`parse` uses SSE on x86-64 and this elsewhere).
    func parseByWords(_ text: String) -> UUIDKey? {
        Array(text.utf8).withUnsafeBytes { UUIDText.parseByWords($0) }
    }

    @Test func knownValue() {
        let key = parse("7f360d94-ecae-4d8e-a26a-e11cea7bde2b")
        #expect(key == UUIDKey(high: 0x7f36_0d94_ecae_4d8e, low: 0xa26a_e11c_ea7b_de2b))
        #expect(parse("00000000-0000-0000-0000-000000000000") == UUIDKey(high: 0, low: 0))
        #expect(parse("ffffffff-ffff-ffff-ffff-ffffffffffff") == UUIDKey(high: .max, low: .max))
    }

    @Test func randomUUIDsAgreeWithTheNaiveReading() {
        var generator = SplitMix64(state: 22)  // seeded, so a failure reproduces
        let hex = Array("0123456789abcdef")
        for _ in 0..<5_000 {
            var text = String((0..<32).map { _ in hex[Int(generator.next() % 16)] })
            for position in [8, 13, 18, 23] {
                text.insert("-", at: text.index(text.startIndex, offsetBy: position))
            }
            #expect(parse(text) == naive(text))
            #expect(parseByWords(text) == naive(text))
            #expect(parse(text) != nil)
        }
    }

    @Test func everyPositionRejectsEveryOtherByte() {
        let valid = Array("7f360d94-ecae-4d8e-a26a-e11cea7bde2b".utf8)
        for position in 0..<36 {
            for byte in UInt8(0)...UInt8(255) {
                var bytes = valid
                bytes[position] = byte
                let text = bytes.withUnsafeBytes { UUIDText.parse($0) }
                let byWords = bytes.withUnsafeBytes { UUIDText.parseByWords($0) }
                let expected: UUIDKey? = {
                    guard let string = String(validating: bytes, as: UTF8.self) else { return nil }
                    return naive(string)
                }()
                #expect(text == expected, "byte \(byte) at \(position)")
                #expect(byWords == expected, "byte \(byte) at \(position), read by words")
            }
        }
    }

    @Test func knownValueByWords() {
        #expect(parseByWords("7f360d94-ecae-4d8e-a26a-e11cea7bde2b") == UUIDKey(high: 0x7f36_0d94_ecae_4d8e, low: 0xa26a_e11c_ea7b_de2b))
        #expect(parseByWords("7F360D94-ECAE-4D8E-A26A-E11CEA7BDE2B") == nil)
    }

    /// Each digit moves its own four bits of the key, so a shuffle index off
    /// by one (a digit read twice or not at all) cannot go unnoticed.
    @Test func everyDigitLandsInItsOwnBits() {
        let hex = Array("0123456789abcdef".utf8)
        let positions = (0..<36).filter { ![8, 13, 18, 23].contains($0) }
        for (digit, position) in positions.enumerated() {
            for value in 1..<16 {
                var bytes = Array("00000000-0000-0000-0000-000000000000".utf8)
                bytes[position] = hex[value]
                let key = bytes.withUnsafeBytes { UUIDText.parse($0) }
                let shift = UInt64(4 * (15 - digit % 16))
                let expected = digit < 16
                    ? UUIDKey(high: UInt64(value) << shift, low: 0)
                    : UUIDKey(high: 0, low: UInt64(value) << shift)
                #expect(key == expected, "digit \(digit) = \(value)")
            }
        }
    }

    @Test func otherShapesAreNotUUIDs() {
        #expect(parse("7F360D94-ECAE-4D8E-A26A-E11CEA7BDE2B") == nil)
        #expect(parse("{7f360d94-ecae-4d8e-a26a-e11cea7bde2}") == nil)
        #expect(parse("7f360d94ecae4d8ea26ae11cea7bde2b") == nil)
        #expect(parse("7f360d94-ecae-4d8e-a26a-e11cea7bde2bb") == nil)
        #expect(parse("") == nil)
    }
}
