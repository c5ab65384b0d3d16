/// Reads an id written as a canonical lowercase UUID
/// (`7f360d94-ecae-4d8e-a26a-e11cea7bde2b`) into 128 bits.
///
/// The mapping must be exact in both directions, because ids are compared as
/// strings: only the one spelling (36 bytes, lowercase hex, dashes at 8, 13,
/// 18 and 23) is accepted, so two different id strings never share a key.
/// Any other id (uppercase, braces, other lengths) is kept as bytes instead.
@usableFromInline
enum UUIDText {
    @inlinable
    static func parse(_ text: UnsafeRawBufferPointer) -> UUIDKey? {
        guard text.count == 36 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        var digits = 0
        for i in 0..<36 {
            let byte = text[i]
            if i == 8 || i == 13 || i == 18 || i == 23 {
                guard byte == UInt8(ascii: "-") else { return nil }
                continue
            }
            let value: UInt8
            if byte &- 0x30 < 10 {
                value = byte &- 0x30
            } else if byte &- 0x61 < 6 {
                value = byte &- 0x61 &+ 10
            } else {
                return nil
            }
            if digits < 16 {
                high = high << 4 | UInt64(value)
            } else {
                low = low << 4 | UInt64(value)
            }
            digits += 1
        }
        return UUIDKey(high: high, low: low)
    }
}
