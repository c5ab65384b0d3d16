/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of iSCSI,
/// ext4 metadata and LevelDB records.
///
/// Chosen over CRC-32 (zlib) for its better error detection on the record sizes the
/// checkpoint store writes. Computed in software with slicing-by-8: eight 256-entry
/// tables let each step fold eight input bytes with eight independent look-ups,
/// instead of one dependent look-up per byte. The tables are built once, in a `let`.
///
/// Values compose like zlib's `crc32`: `checksum(b, continuing: checksum(a))`
/// equals `checksum(a + b)`, and the checksum of no bytes is 0.
public enum CRC32C {
    /// The CRC-32C of `bytes`, continuing from the checksum `crc` of the bytes before them.
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        guard var p = bytes.baseAddress, bytes.count > 0 else { return crc }
        var remaining = bytes.count
        var state = ~crc
        crc32cTables.withUnsafeBufferPointer { table in
            let t = table.baseAddress!
            // Byte at a time until the pointer is 8-byte aligned, so the wide loads are aligned.
            while remaining > 0 && UInt(bitPattern: p) & 7 != 0 {
                state = t[Int((state ^ UInt32(p.load(as: UInt8.self))) & 0xFF)] ^ (state >> 8)
                p += 1
                remaining -= 1
            }
            while remaining >= 8 {
                let word = UInt64(littleEndian: p.load(as: UInt64.self))
                let low = UInt32(truncatingIfNeeded: word) ^ state
                let high = UInt32(truncatingIfNeeded: word >> 32)
                state = t[7 * 256 + Int(low & 0xFF)]
                    ^ t[6 * 256 + Int((low >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((low >> 16) & 0xFF)]
                    ^ t[4 * 256 + Int(low >> 24)]
                    ^ t[3 * 256 + Int(high & 0xFF)]
                    ^ t[2 * 256 + Int((high >> 8) & 0xFF)]
                    ^ t[1 * 256 + Int((high >> 16) & 0xFF)]
                    ^ t[Int(high >> 24)]
                p += 8
                remaining -= 8
            }
            while remaining > 0 {
                state = t[Int((state ^ UInt32(p.load(as: UInt8.self))) & 0xFF)] ^ (state >> 8)
                p += 1
                remaining -= 1
            }
        }
        return ~state
    }

    /// The CRC-32C of `bytes`.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }
}

/// Eight 256-entry tables, flattened: table k maps a byte to its CRC contribution
/// when k more zero bytes follow it.
private let crc32cTables: [UInt32] = {
    let polynomial: UInt32 = 0x82F6_3B78
    var tables = [UInt32](repeating: 0, count: 8 * 256)
    for byte in 0..<256 {
        var crc = UInt32(byte)
        for _ in 0..<8 {
            crc = crc & 1 != 0 ? (crc >> 1) ^ polynomial : crc >> 1
        }
        tables[byte] = crc
    }
    for k in 1..<8 {
        for byte in 0..<256 {
            let previous = tables[(k - 1) * 256 + byte]
            tables[k * 256 + byte] = (previous >> 8) ^ tables[Int(previous & 0xFF)]
        }
    }
    return tables
}()
