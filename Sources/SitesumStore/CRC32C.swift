#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of iSCSI,
/// ext4 metadata and LevelDB records.
///
/// Chosen over CRC-32 (zlib) for its better error detection on the record sizes the
/// checkpoint store writes. On x86-64 it is computed by the SSE4.2 `crc32`
/// instruction, eight bytes per instruction: checkpoints checksum every byte
/// they write and load, on a thread that shares the cores with the run. The package
/// builds this target with `-msse4.2` on x86-64 hosts (see `Package.swift`), so
/// the instruction is required there; every x86-64 processor since 2008 has it.
///
/// Elsewhere, and in the tests as a second opinion, it is computed in software by
/// slicing: 256-entry tables let each step fold sixteen input bytes with sixteen
/// independent look-ups instead of one dependent look-up per byte. The tables are
/// built once, in a `let`.
///
/// Values compose like zlib's `crc32`: `checksum(b, continuing: checksum(a))`
/// equals `checksum(a + b)`, and the checksum of no bytes is 0.
public enum CRC32C {
    /// The CRC-32C of `bytes`, continuing from the checksum `crc` of the bytes before them.
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        guard let start = bytes.baseAddress, bytes.count > 0 else { return crc }
        #if arch(x86_64)
        return ~hardwareUpdate(~crc, start, bytes.count)
        #else
        return softwareChecksum(bytes, continuing: crc)
        #endif
    }

    /// `checksum` computed with the tables, whatever the processor.
    public static func softwareChecksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        guard let start = bytes.baseAddress, bytes.count > 0 else { return crc }
        return crc32cTables.withUnsafeBufferPointer { table in
            ~update(~crc, start, bytes.count, table.baseAddress!)
        }
    }

    #if arch(x86_64)
    /// Bytes each of the three streams of `hardwareUpdate` takes at a time.
    static let streamBytes = 16 << 10

    /// x^(8·streamBytes) modulo the polynomial: multiplying a raw register by
    /// it moves the register past `streamBytes` bytes of zeros.
    private static let streamShift = powerOfX(timesEightOf: UInt64(streamBytes))

    /// The raw CRC register after folding in `count` bytes at `start`, by the `crc32` instruction.
    ///
    /// One `crc32` depends on the one before, and waits out its latency (three
    /// cycles on the processors sitesum runs on) while the processor could
    /// start one every cycle. So a long buffer goes through three streams at
    /// once, each over its own `streamBytes` of every `3 · streamBytes`, and
    /// the three registers are joined after each such piece: the raw register
    /// is linear in the bytes, so the register over a‖b is the register over a
    /// moved past b's length of zeros (`multiply` by `streamShift`), plus the
    /// register over b from zero. The joins cost two multiplications a piece,
    /// a few percent of its bytes' work.
    private static func hardwareUpdate(_ crc: UInt32, _ start: UnsafeRawPointer, _ count: Int) -> UInt32 {
        var state = UInt64(crc)
        var p = start
        var remaining = count
        while remaining >= 3 * streamBytes {
            var first = state, second: UInt64 = 0, third: UInt64 = 0
            var offset = 0
            while offset < streamBytes {
                first = _mm_crc32_u64(first, p.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                second = _mm_crc32_u64(second, p.loadUnaligned(fromByteOffset: streamBytes &+ offset, as: UInt64.self))
                third = _mm_crc32_u64(third, p.loadUnaligned(fromByteOffset: 2 &* streamBytes &+ offset, as: UInt64.self))
                offset &+= 8
            }
            let firstTwo = multiply(streamShift, UInt32(truncatingIfNeeded: first)) ^ UInt32(truncatingIfNeeded: second)
            state = UInt64(multiply(streamShift, firstTwo) ^ UInt32(truncatingIfNeeded: third))
            p += 3 &* streamBytes
            remaining &-= 3 &* streamBytes
        }
        while remaining >= 8 {
            state = _mm_crc32_u64(state, p.loadUnaligned(as: UInt64.self))
            p += 8
            remaining &-= 8
        }
        var narrow = UInt32(truncatingIfNeeded: state)
        while remaining > 0 {
            narrow = _mm_crc32_u8(narrow, p.load(as: UInt8.self))
            p += 1
            remaining &-= 1
        }
        return narrow
    }
    #endif

    /// The raw (un-inverted) CRC register after folding in `count` bytes at `start`.
    private static func update(_ crc: UInt32, _ start: UnsafeRawPointer, _ count: Int, _ t: UnsafePointer<UInt32>) -> UInt32 {
        var state = crc
        var p = start
        var remaining = count
        // Byte at a time until the pointer is 8-byte aligned, so the wide loads are aligned.
        while remaining > 0 && UInt(bitPattern: p) & 7 != 0 {
            state = t[Int((state ^ UInt32(p.load(as: UInt8.self))) & 0xFF)] ^ (state >> 8)
            p += 1
            remaining -= 1
        }
        while remaining >= 16 {
            let a = UInt64(littleEndian: p.load(as: UInt64.self)) ^ UInt64(state)
            let b = UInt64(littleEndian: p.load(fromByteOffset: 8, as: UInt64.self))
            state = t[15 &* 256 &+ Int(truncatingIfNeeded: a & 0xFF)]
                ^ t[14 &* 256 &+ Int(truncatingIfNeeded: (a &>> 8) & 0xFF)]
                ^ t[13 &* 256 &+ Int(truncatingIfNeeded: (a &>> 16) & 0xFF)]
                ^ t[12 &* 256 &+ Int(truncatingIfNeeded: (a &>> 24) & 0xFF)]
                ^ t[11 &* 256 &+ Int(truncatingIfNeeded: (a &>> 32) & 0xFF)]
                ^ t[10 &* 256 &+ Int(truncatingIfNeeded: (a &>> 40) & 0xFF)]
                ^ t[9 &* 256 &+ Int(truncatingIfNeeded: (a &>> 48) & 0xFF)]
                ^ t[8 &* 256 &+ Int(truncatingIfNeeded: (a &>> 56) & 0xFF)]
                ^ t[7 &* 256 &+ Int(truncatingIfNeeded: b & 0xFF)]
                ^ t[6 &* 256 &+ Int(truncatingIfNeeded: (b &>> 8) & 0xFF)]
                ^ t[5 &* 256 &+ Int(truncatingIfNeeded: (b &>> 16) & 0xFF)]
                ^ t[4 &* 256 &+ Int(truncatingIfNeeded: (b &>> 24) & 0xFF)]
                ^ t[3 &* 256 &+ Int(truncatingIfNeeded: (b &>> 32) & 0xFF)]
                ^ t[2 &* 256 &+ Int(truncatingIfNeeded: (b &>> 40) & 0xFF)]
                ^ t[1 &* 256 &+ Int(truncatingIfNeeded: (b &>> 48) & 0xFF)]
                ^ t[0 &* 256 &+ Int(truncatingIfNeeded: (b &>> 56) & 0xFF)]
            p += 16
            remaining &-= 16
        }
        while remaining > 0 {
            state = t[Int((state ^ UInt32(p.load(as: UInt8.self))) & 0xFF)] ^ (state >> 8)
            p += 1
            remaining -= 1
        }
        return state
    }

    /// The CRC-32C of `bytes`.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }

    /// The CRC-32C of a + b from the checksums of a and of b and b's length,
    /// without reading any byte (as zlib's `crc32_combine`): the checksum of a
    /// shifted past `count` more bytes, which is a multiplication by x^(8·count)
    /// modulo the polynomial, plus the checksum of b.
    ///
    /// A checkpoint file's checksum covers every record, and every record has
    /// a checksum of its own over most of the same bytes; combining the two
    /// spares reading each payload twice, writing and loading alike.
    public static func combine(_ first: UInt32, _ second: UInt32, secondCount count: Int) -> UInt32 {
        let shift = count < shortShifts.count ? shortShifts[count] : powerOfX(timesEightOf: UInt64(count))
        return multiply(shift, first) ^ second
    }

    /// x^(8·n) modulo the polynomial for n below 4096, each the one before
    /// times x^8: a checkpoint of a million small sites combines millions of
    /// records of a few dozen bytes, and finding each power a multiplication
    /// at a time was a few percent of such a run.
    private static let shortShifts: [UInt32] = {
        var table = [UInt32](repeating: 1 << 31, count: 4096)  // x^0
        for n in 1..<table.count { table[n] = multiply(powersOfXSquared[3], table[n - 1]) }
        return table
    }()

    /// a·b modulo the polynomial, both in the reflected bit order of the CRC.
    /// Without branches: whether a bit of `a` is set is as likely as not,
    /// which a branch would guess wrong half the time.
    private static func multiply(_ a: UInt32, _ b: UInt32) -> UInt32 {
        var product: UInt32 = 0
        var b = b
        for position in 0..<UInt32(32) {
            // All ones when bit 31 − position of `a` is set (an arithmetic shift).
            let take = UInt32(bitPattern: Int32(bitPattern: a &<< position) &>> 31)
            product ^= b & take
            b = (b &>> 1) ^ (0x82F6_3B78 & (0 &- (b & 1)))
        }
        return product
    }

    /// x^(8·n) modulo the polynomial, from the table of x^(2^k).
    private static func powerOfX(timesEightOf n: UInt64) -> UInt32 {
        var power: UInt32 = 1 << 31  // x^0
        var n = n
        var k = 3  // x^8 = x^(2^3)
        while n != 0 {
            if n & 1 != 0 { power = multiply(powersOfXSquared[k], power) }
            n >>= 1
            k += 1
        }
        return power
    }

    /// x^(2^k) modulo the polynomial for every k `powerOfX` can reach (3 + 64 bits of n).
    private static let powersOfXSquared: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 68)
        var power: UInt32 = 1 << 30  // x^1
        for k in 0..<68 {
            table[k] = power
            power = multiply(power, power)
        }
        return table
    }()
}

/// Sixteen 256-entry tables (16 KiB, fits in L1), flattened: table k maps a byte to
/// its CRC contribution when k more zero bytes follow it.
private let crc32cTables: [UInt32] = {
    let polynomial: UInt32 = 0x82F6_3B78
    var tables = [UInt32](repeating: 0, count: 16 * 256)
    for byte in 0..<256 {
        var crc = UInt32(byte)
        for _ in 0..<8 {
            crc = crc & 1 != 0 ? (crc >> 1) ^ polynomial : crc >> 1
        }
        tables[byte] = crc
    }
    for k in 1..<16 {
        for byte in 0..<256 {
            let previous = tables[(k - 1) * 256 + byte]
            tables[k * 256 + byte] = (previous >> 8) ^ tables[Int(previous & 0xFF)]
        }
    }
    return tables
}()
