/// The ASCII bytes the scanner compares against, named so the parsing code
/// reads like the JSON grammar.
enum ASCII {
    static let tab: UInt8 = 0x09
    static let lineFeed: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let quote: UInt8 = 0x22
    static let plus: UInt8 = 0x2B
    static let comma: UInt8 = 0x2C
    static let minus: UInt8 = 0x2D
    static let dot: UInt8 = 0x2E
    static let slash: UInt8 = 0x2F
    static let zero: UInt8 = 0x30
    static let nine: UInt8 = 0x39
    static let colon: UInt8 = 0x3A
    static let openBracket: UInt8 = 0x5B
    static let backslash: UInt8 = 0x5C
    static let closeBracket: UInt8 = 0x5D
    static let openBrace: UInt8 = 0x7B
    static let closeBrace: UInt8 = 0x7D
    static let lowerB: UInt8 = 0x62
    static let lowerE: UInt8 = 0x65
    static let lowerF: UInt8 = 0x66
    static let lowerN: UInt8 = 0x6E
    static let lowerR: UInt8 = 0x72
    static let lowerT: UInt8 = 0x74
    static let lowerU: UInt8 = 0x75

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte &- zero < 10 }

    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == space || byte == tab || byte == lineFeed || byte == carriageReturn
    }

    /// The value of a hex digit in either case, or nil.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt32? {
        let digit = byte &- zero
        if digit < 10 { return UInt32(digit) }
        let letter = (byte | 0x20) &- 0x61
        if letter < 6 { return UInt32(letter) + 10 }
        return nil
    }

    @inline(__always)
    static func isContinuation(_ byte: UInt8) -> Bool { byte & 0xC0 == 0x80 }
}

/// Word-at-a-time ("SIMD within a register") tests on 8 bytes at once, so
/// string bodies, the bulk of every line, are crossed 8 bytes per step.
enum SWAR {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// A mask with the high bit set in each byte of `word` that ends the fast
    /// scan of a string body: `"`, `\`, a byte below 0x20, or a byte of 0x80
    /// or more (non-ASCII needs UTF-8 validation).
    ///
    /// Bytes above the first flagged one may be flagged spuriously (a borrow
    /// carries upward), so only the lowest flagged byte is meaningful; callers
    /// only ever use that one.
    @inline(__always)
    static func stringStopMask(_ word: UInt64) -> UInt64 {
        let quotes = word ^ (ones &* UInt64(ASCII.quote))
        let backslashes = word ^ (ones &* UInt64(ASCII.backslash))
        let quoteHits = (quotes &- ones) & ~quotes
        let backslashHits = (backslashes &- ones) & ~backslashes
        let controlHits = (word &- (ones &* 0x20)) & ~word
        return (quoteHits | backslashHits | controlHits | word) & highBits
    }

    /// A mask with the high bit set in each byte of `word` that is not an
    /// ASCII digit. As with `stringStopMask`, only the lowest flagged byte is
    /// meaningful: a byte below '0' borrows from the byte above it, and one
    /// from 0xBA up carries into it, but a digit does neither, so the bytes
    /// up to the first non-digit are judged exactly.
    @inline(__always)
    static func nonDigitMask(_ word: UInt64) -> UInt64 {
        // A digit stays below 0x80 both raised by 0x46 and lowered by 0x30;
        // every other byte crosses 0x80 one way or the other.
        ((word &+ ones &* 0x46) | (word &- ones &* 0x30)) & highBits
    }

    /// The value of the first `count` bytes of `word` (little-endian, so its
    /// first byte is the most significant digit), which must be ASCII digits;
    /// `count` from 0 to 8. Three multiplications join the digits in pairs,
    /// the pairs in fours and the fours in eights, instead of one step a digit.
    @inline(__always)
    static func digitsValue(_ word: UInt64, count: Int) -> UInt64 {
        guard count > 0 else { return 0 }
        // The digits' values, moved to the top so that zeros lead.
        var value = (word &- ones &* 0x30) << UInt64(64 &- 8 &* count)
        value = ((value & 0x0F0F_0F0F_0F0F_0F0F) &* (10 << 8 + 1)) >> 8
        value = ((value & 0x00FF_00FF_00FF_00FF) &* (100 << 16 + 1)) >> 16
        return ((value & 0x0000_FFFF_0000_FFFF) &* (10_000 << 32 + 1)) >> 32
    }

    /// 10 to the power `exponent`, from 0 to 8.
    @inline(__always)
    static func powerOfTen(_ exponent: Int) -> UInt64 {
        var power: UInt64 = 1
        for _ in 0..<exponent { power &*= 10 }
        return power
    }
}
