/// A growable byte buffer with the few operations a log line needs.
///
/// Lines are formatted straight into raw memory — no `String` per line, no
/// interpolation, and no `Array` appends, whose uniqueness checks and
/// generic copying cost more than the formatting itself. Noncopyable, so it
/// owns its memory outright and frees it in `deinit`.
struct ByteBuffer: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 4096) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    deinit {
        base.deallocate()
    }

    /// The bytes written so far; valid until the buffer next changes.
    var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base, count: count)
    }

    subscript(index: Int) -> UInt8 {
        precondition(index >= 0 && index < count)
        return base[index]
    }

    /// Makes room for `extra` more bytes.
    @inline(__always)
    private mutating func reserve(_ extra: Int) {
        if count + extra > capacity { grow(to: count + extra) }
    }

    private mutating func grow(to needed: Int) {
        let newCapacity = max(needed, capacity * 2)
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    @inline(__always)
    mutating func append(_ text: StaticString) {
        append(text.utf8Start, count: text.utf8CodeUnitCount)
    }

    @inline(__always)
    mutating func append(_ other: [UInt8]) {
        other.withUnsafeBufferPointer { append($0.baseAddress, count: $0.count) }
    }

    @inline(__always)
    private mutating func append(_ source: UnsafePointer<UInt8>?, count n: Int) {
        guard let source, n > 0 else { return }
        reserve(n)
        (base + count).update(from: source, count: n)
        count += n
    }

    /// Appends the decimal text of `value` (a "-" for negatives).
    mutating func appendDecimal(_ value: Int64) {
        if value < 0 { append(UInt8(ascii: "-")) }
        appendDecimal(value.magnitude)
    }

    /// Appends the decimal text of `value`, written back to front into room
    /// reserved first, so no temporary storage is needed.
    mutating func appendDecimal(_ value: UInt64) {
        var digits = 1
        var rest = value / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        reserve(digits)
        var v = value
        var at = count + digits - 1
        repeat {
            base[at] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: v % 10)
            v /= 10
            at -= 1
        } while v > 0
        count += digits
    }

    /// Appends the low `digits` hex digits of `value`, lowercase, most
    /// significant first.
    @inline(__always)
    mutating func appendHex(_ value: UInt64, digits: Int) {
        reserve(digits)
        var v = value
        var at = count + digits - 1
        while at >= count {
            base[at] = hexDigit(UInt8(truncatingIfNeeded: v) & 0xF, upper: false)
            v >>= 4
            at -= 1
        }
        count += digits
    }

    /// Inserts `inserted` at `index`, moving what follows.
    mutating func insert(_ inserted: [UInt8], at index: Int) {
        precondition(index >= 0 && index <= count)
        reserve(inserted.count)
        (base + index + inserted.count).update(from: base + index, count: count - index)  // memmove
        inserted.withUnsafeBufferPointer { (base + index).update(from: $0.baseAddress!, count: $0.count) }
        count += inserted.count
    }

    /// Rewrites the ASCII byte at `index` as a `\u00XX` escape. Used on the
    /// rare lines whose producer escapes characters that need no escaping.
    mutating func escapeByte(at index: Int, upperHex: Bool) {
        let byte = self[index]
        insert([
            UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
            hexDigit(byte >> 4, upper: upperHex), hexDigit(byte & 0xF, upper: upperHex),
        ], at: index + 1)
        base[index] = UInt8(ascii: "\\")
    }

    /// Drops everything from `newCount` on.
    mutating func truncate(to newCount: Int) {
        precondition(newCount >= 0 && newCount <= count)
        count = newCount
    }

    /// Empties the buffer, keeping its memory.
    mutating func removeAll() {
        count = 0
    }
}

@inline(__always)
private func hexDigit(_ nibble: UInt8, upper: Bool) -> UInt8 {
    nibble < 10 ? UInt8(ascii: "0") &+ nibble : (upper ? UInt8(ascii: "A") : UInt8(ascii: "a")) &+ nibble &- 10
}
