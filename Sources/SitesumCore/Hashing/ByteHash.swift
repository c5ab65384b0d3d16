/// A fast, deterministic 64-bit hash of short byte strings (names and ids).
///
/// Hash tables in sitesum only need good spreading, not cryptographic
/// strength; the state never depends on hash values (indices are handed out in
/// insertion order), so the hash can change without changing any result —
/// except `mix`, through the UUID fingerprints that checkpoints store
/// (`UUIDKey.fingerprint`): changing it needs a new checkpoint format version.
@usableFromInline
enum ByteHash {
    @usableFromInline static let k1: UInt64 = 0x9E37_79B9_7F4A_7C15
    @usableFromInline static let k2: UInt64 = 0xBF58_476D_1CE4_E5B9

    /// Murmur3's 64-bit finaliser: every input bit affects every output bit.
    @inlinable @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var h = value
        h ^= h >> 33
        h = h &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h = h &* 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return h
    }

    @inlinable
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let count = bytes.count
        var h = k1 ^ UInt64(truncatingIfNeeded: count)
        var i = 0
        while i + 8 <= count {
            let word = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = ((h ^ (word &* k2)) &<< 27 | (h ^ (word &* k2)) &>> 37) &* k1
            i += 8
        }
        if i < count {
            // The last 1-7 bytes as a little-endian word, in at most three
            // loads instead of a loop per byte (names are short: often all tail).
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            if (count - i) & 4 != 0 {
                tail = UInt64(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt32.self)))
                shift = 32
                i += 4
            }
            if (count - i) & 2 != 0 {
                tail |= UInt64(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt16.self))) &<< shift
                shift += 16
                i += 2
            }
            if i < count { tail |= UInt64(bytes.load(fromByteOffset: i, as: UInt8.self)) &<< shift }
            h = ((h ^ (tail &* k2)) &<< 27 | (h ^ (tail &* k2)) &>> 37) &* k1
        }
        return mix(h)
    }
}
