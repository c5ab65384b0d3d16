/// A fast, deterministic 64-bit hash of short byte strings (names and ids).
///
/// Hash tables in sitesum only need good spreading, not cryptographic
/// strength; the state never depends on hash values (indices are handed out in
/// insertion order), so the hash can change without changing any result —
/// except through the fingerprints of ids that checkpoints store: `mix` for
/// UUIDs (`UUIDKey.fingerprint`), `hash` for any other id
/// (`ActivityState.fingerprint(ofID:)`). Changing either needs a new
/// checkpoint format version.
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

    @usableFromInline static let k3: UInt64 = 0x94D0_49BB_1331_11EB

    /// The high and low halves of the 128-bit product of `a` and `b`, xored:
    /// every bit of each factor reaches the middle bits of the product, and
    /// the xor brings them down to the low bits the hash tables use.
    @inlinable @inline(__always)
    static func fold(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }

    /// The hash of `bytes`. Names (sites, visitors, operators) are short, so
    /// up to 16 bytes take two loads that may overlap and two multiplications,
    /// with no loop and no byte-at-a-time tail; longer ones go word by word
    /// (`longHash`).
    @inlinable
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let count = bytes.count
        guard count <= 16 else { return longHash(bytes) }
        var first: UInt64 = 0
        var last: UInt64 = 0
        if count >= 8 {
            first = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
            last = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self))
        } else if count >= 4 {
            first = UInt64(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self)))
            last = UInt64(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)))
        } else if count > 0 {
            // The first, middle and last bytes: all of them, for 1 to 3.
            first = UInt64(bytes[0]) << 16 | UInt64(bytes[count >> 1]) << 8 | UInt64(bytes[count - 1])
        }
        // With the count, the two words tell every name up to 16 bytes apart.
        return fold(fold(first ^ k1, last ^ k2 ^ UInt64(truncatingIfNeeded: count)), k3)
    }

    /// The hash of more than 16 bytes: each full little-endian word, then
    /// the last 1-7 bytes as one more, then `mix`.
    @usableFromInline
    static func longHash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
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
