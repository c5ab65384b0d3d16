#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// Reads an id written as a canonical lowercase UUID
/// (`7f360d94-ecae-4d8e-a26a-e11cea7bde2b`) into 128 bits.
///
/// The mapping must be exact in both directions, because ids are compared as
/// strings: only the one spelling (36 bytes, lowercase hex, dashes at 8, 13,
/// 18 and 23) is accepted, so two different id strings never share a key.
/// Any other id (uppercase, braces, other lengths) is kept as bytes instead.
///
/// Every line's id passes through here, so it reads eight hex digits at a
/// time with SWAR arithmetic on one 64-bit word instead of a loop per byte.
@usableFromInline
enum UUIDText {
    /// The length of the one spelling.
    @inlinable static var length: Int { 36 }

    @inlinable
    static func parse(_ text: UnsafeRawBufferPointer) -> UUIDKey? {
        guard hasDashes(text) else { return nil }
        #if arch(x86_64)
        return vectorDigits(text.baseAddress!)
        #else
        return wordDigits(text)
        #endif
    }

    /// `parse` with the digits read by `wordDigits` on every processor (the
    /// tests compare it with `parse`).
    static func parseByWords(_ text: UnsafeRawBufferPointer) -> UUIDKey? {
        guard hasDashes(text) else { return nil }
        return wordDigits(text)
    }

    /// Whether `text` has the spelling's length and its four dashes; the
    /// digits between are for `vectorDigits` or `wordDigits` to check.
    @inlinable @inline(__always)
    static func hasDashes(_ text: UnsafeRawBufferPointer) -> Bool {
        let dash = UInt8(ascii: "-")
        return text.count == length && text[8] == dash && text[13] == dash && text[18] == dash && text[23] == dash
    }

    /// The 32 digits of a 36-byte text whose dashes are checked, read as four
    /// words of eight (`hexWord`).
    @inlinable @inline(__always)
    static func wordDigits(_ text: UnsafeRawBufferPointer) -> UUIDKey? {
        // Four words of eight digits: 0..<8; 9..<13 + 14..<18; 19..<23 + 24..<28; 28..<36.
        let w0 = text.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
        let w1 = UInt64(text.loadUnaligned(fromByteOffset: 9, as: UInt32.self))
            | UInt64(text.loadUnaligned(fromByteOffset: 14, as: UInt32.self)) << 32
        let w2 = UInt64(text.loadUnaligned(fromByteOffset: 19, as: UInt32.self))
            | UInt64(text.loadUnaligned(fromByteOffset: 24, as: UInt32.self)) << 32
        let w3 = text.loadUnaligned(fromByteOffset: 28, as: UInt64.self)
        guard let h0 = hexWord(w0), let h1 = hexWord(w1), let h2 = hexWord(w2), let h3 = hexWord(w3) else {
            return nil
        }
        return UUIDKey(high: h0 << 32 | h1, low: h2 << 32 | h3)
    }

    #if arch(x86_64)
    /// The 32 digits of the 36 bytes at `text`, whose dashes are checked, read
    /// sixteen at a time with SSE (SSSE3; the package enables up to SSE4.2 on
    /// x86-64, see `Package.swift`): a shuffle gathers each half's digits
    /// from three overlapping 16-byte loads, compares check that every one is
    /// `0`–`9` or `a`–`f`, and a multiply-add joins each pair of nibbles
    /// into a byte. Less than half the instructions of `wordDigits`.
    @inlinable @inline(__always)
    static func vectorDigits(_ text: UnsafeRawPointer) -> UUIDKey? {
        let bytes0: __m128i = text.loadUnaligned(as: __m128i.self)  // bytes 0..<16
        let bytes16: __m128i = (text + 16).loadUnaligned(as: __m128i.self)  // 16..<32
        let bytes20: __m128i = (text + 20).loadUnaligned(as: __m128i.self)  // 20..<36
        let none: CChar = -128  // a shuffle index that gives 0
        // Digits 0..<16 are bytes 0-7, 9-12 and 14-17; digits 16..<32 are bytes 19-22 and 24-35.
        let high: __m128i = _mm_or_si128(
            _mm_shuffle_epi8(bytes0, _mm_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 14, 15, none, none)),
            _mm_shuffle_epi8(bytes16, _mm_setr_epi8(none, none, none, none, none, none, none, none,
                                                     none, none, none, none, none, none, 0, 1)))
        let low: __m128i = _mm_or_si128(
            _mm_shuffle_epi8(bytes16, _mm_setr_epi8(3, none, none, none, none, none, none, none,
                                                     none, none, none, none, none, none, none, none)),
            _mm_shuffle_epi8(bytes20, _mm_setr_epi8(none, 0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)))
        guard let highBytes = hexBytes(high), let lowBytes = hexBytes(low) else { return nil }
        let joined: __m128i = _mm_packus_epi16(highBytes, lowBytes)
        // The first digit pair is the first byte: most significant.
        return UUIDKey(high: UInt64(bitPattern: joined[0]).byteSwapped, low: UInt64(bitPattern: joined[1]).byteSwapped)
    }

    /// Sixteen lowercase hex digits as eight 16-bit lanes, each the value of a
    /// pair (first digit high); nil if any byte is not a digit. Signed byte
    /// compares: a byte from 0x80 up is negative, below both ranges.
    @inlinable @inline(__always)
    static func hexBytes(_ digits: __m128i) -> __m128i? {
        let isDecimal: __m128i = _mm_and_si128(_mm_cmpgt_epi8(digits, _mm_set1_epi8(0x2F)),
                                               _mm_cmplt_epi8(digits, _mm_set1_epi8(0x3A)))
        let isLetter: __m128i = _mm_and_si128(_mm_cmpgt_epi8(digits, _mm_set1_epi8(0x60)),
                                              _mm_cmplt_epi8(digits, _mm_set1_epi8(0x67)))
        guard _mm_movemask_epi8(_mm_or_si128(isDecimal, isLetter)) == 0xFFFF else { return nil }
        // '0'-'9' have 0-9 in their low nibble, 'a'-'f' 1-6: add 9 to letters.
        let nibbles: __m128i = _mm_add_epi8(_mm_and_si128(digits, _mm_set1_epi8(0x0F)),
                                            _mm_and_si128(isLetter, _mm_set1_epi8(9)))
        // Each 16-bit lane: first nibble × 16 + second nibble × 1.
        return _mm_maddubs_epi16(nibbles, _mm_set1_epi16(0x0110))
    }
    #endif

    /// The value of eight lowercase hex digits stored little-endian in `word`
    /// (first digit in the lowest byte, most significant), or nil if any byte
    /// is not `0`–`9` or `a`–`f`.
    @inlinable @inline(__always)
    static func hexWord(_ word: UInt64) -> UInt64? {
        let high: UInt64 = 0x8080_8080_8080_8080
        let ones: UInt64 = 0x0101_0101_0101_0101
        guard word & high == 0 else { return nil }
        // For bytes below 0x80, adding (0x80 - lo) sets the top bit exactly when
        // byte >= lo, and adding (0x7F - hi) exactly when byte > hi; no carries cross bytes.
        func inRange(_ lo: UInt64, _ hi: UInt64) -> UInt64 {
            (word &+ ones &* (0x80 - lo)) & ~(word &+ ones &* (0x7F - hi)) & high
        }
        let digits = inRange(0x30, 0x39)
        let letters = inRange(0x61, 0x66)
        guard digits | letters == high else { return nil }
        // Letters have 1...6 in their low nibble; add 9 to make 10...15.
        var value = (word & 0x0F0F_0F0F_0F0F_0F0F) &+ (letters >> 7) &* 9
        // First digit to the top, then fold nibble pairs, byte pairs, half-word pairs.
        value = value.byteSwapped
        value = (value | value >> 4) & 0x00FF_00FF_00FF_00FF
        value = (value | value >> 8) & 0x0000_FFFF_0000_FFFF
        value = (value | value >> 16) & 0x0000_0000_FFFF_FFFF
        return value
    }
}
