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
        guard text.count == length else { return nil }
        let dash = UInt8(ascii: "-")
        guard text[8] == dash, text[13] == dash, text[18] == dash, text[23] == dash else { return nil }
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
