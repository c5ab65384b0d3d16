/// A growable byte buffer with the few append operations a log line needs.
///
/// Lines are formatted straight into bytes — no `String` per line, no
/// interpolation — because the generator must write gigabytes quickly.
struct ByteBuffer {
    var bytes: [UInt8] = []

    var count: Int { bytes.count }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        bytes.append(byte)
    }

    @inline(__always)
    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    @inline(__always)
    mutating func append(_ other: [UInt8]) {
        bytes.append(contentsOf: other)
    }

    /// Appends the decimal text of `value` (a "-" for negatives).
    mutating func appendDecimal(_ value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        appendDecimal(value.magnitude)
    }

    /// Appends the decimal text of `value`, digits written back to front into
    /// room reserved first, so no temporary storage is needed.
    mutating func appendDecimal(_ value: UInt64) {
        var digits = 1
        var rest = value / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: digits))
        var v = value
        var i = start + digits - 1
        while v > 0 {
            bytes[i] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: v % 10)
            v /= 10
            i -= 1
        }
    }

    /// Appends the low `digits` hex digits of `value`, lowercase, most
    /// significant first.
    @inline(__always)
    mutating func appendHex(_ value: UInt64, digits: Int) {
        var shift = (digits - 1) * 4
        while shift >= 0 {
            bytes.append(hexDigit(UInt8(truncatingIfNeeded: value >> UInt64(shift)) & 0xF, upper: false))
            shift -= 4
        }
    }

    /// Rewrites the ASCII byte at `index` as a `\u00XX` escape. Used on the
    /// rare lines whose producer escapes characters that need no escaping.
    mutating func escapeByte(at index: Int, upperHex: Bool) {
        let byte = bytes[index]
        let escape: [UInt8] = [
            UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
            hexDigit(byte >> 4, upper: upperHex), hexDigit(byte & 0xF, upper: upperHex),
        ]
        bytes.replaceSubrange(index..<index + 1, with: escape)
    }

    /// Drops everything from `newCount` on.
    mutating func truncate(to newCount: Int) {
        bytes.removeSubrange(newCount...)
    }
}

@inline(__always)
private func hexDigit(_ nibble: UInt8, upper: Bool) -> UInt8 {
    nibble < 10 ? UInt8(ascii: "0") &+ nibble : (upper ? UInt8(ascii: "A") : UInt8(ascii: "a")) &+ nibble &- 10
}
