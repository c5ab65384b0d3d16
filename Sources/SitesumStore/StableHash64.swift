/// A small, fixed 64-bit hash for names and fingerprints that are stored on disk.
///
/// Swift's `Hasher` is randomly seeded per process, so it cannot name a file that a
/// later run must find again; this one is fixed forever. Each 64-bit word is mixed in
/// with a bijection of the state (xor, multiply by an odd constant, xorshift), so two
/// inputs of equal length that differ in a single word always hash differently; the
/// final avalanche is MurmurHash3's `fmix64`.
struct StableHash64 {
    private var state: UInt64 = 0x7369_7465_7375_6D31  // "sitesum1"

    init() {}

    mutating func combine(_ word: UInt64) {
        state = (state ^ word) &* 0x9E37_79B9_7F4A_7C15
        state ^= state >> 29
    }

    /// Mixes in the bytes, eight at a time (little-endian), then their count, so that
    /// byte strings that differ only by trailing zeros still differ.
    mutating func combine(_ bytes: UnsafeRawBufferPointer) {
        var index = 0
        while index + 8 <= bytes.count {
            combine(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)))
            index += 8
        }
        if index < bytes.count {
            var last: UInt64 = 0
            var shift: UInt64 = 0
            while index < bytes.count {
                last |= UInt64(bytes[index]) << shift
                shift += 8
                index += 1
            }
            combine(last)
        }
        combine(UInt64(bytes.count))
    }

    mutating func combine(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { combine($0) }
    }

    func finalize() -> UInt64 {
        var k = state
        k ^= k >> 33
        k &*= 0xFF51_AFD7_ED55_8CCD
        k ^= k >> 33
        k &*= 0xC4CE_B9FE_1A85_EC53
        k ^= k >> 33
        return k
    }
}
