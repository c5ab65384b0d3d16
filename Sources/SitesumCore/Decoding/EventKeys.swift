/// Exact comparisons of decoded key and value bytes against the few words of
/// the schema. Each word is compared as one or two unaligned integer loads
/// (little-endian constants, overlapping when the length is not 4 or 8), after
/// a switch on the length, instead of byte by byte.
enum SchemaWord {
    @inline(__always)
    static func load32(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
        UInt32(littleEndian: (bytes.baseAddress! + offset).loadUnaligned(as: UInt32.self))
    }

    @inline(__always)
    static func load16(_ bytes: UnsafeRawBufferPointer) -> UInt16 {
        UInt16(littleEndian: bytes.baseAddress!.loadUnaligned(as: UInt16.self))
    }

    @inline(__always)
    static func load64(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        UInt64(littleEndian: bytes.baseAddress!.loadUnaligned(as: UInt64.self))
    }
}

/// The top-level keys the event schema reads; everything else is `.other`.
enum EventKey {
    case id, type, from, siteID, timestamp, data, other

    @inline(__always)
    init(_ key: UnsafeRawBufferPointer) {
        switch key.count {
        case 2:
            self = SchemaWord.load16(key) == 0x6469 ? .id : .other  // "id"
        case 4:
            switch SchemaWord.load32(key, 0) {
            case 0x6570_7974: self = .type  // "type"
            case 0x6D6F_7266: self = .from  // "from"
            case 0x6174_6164: self = .data  // "data"
            default: self = .other
            }
        case 7:  // "site" + "e_id"
            self = SchemaWord.load32(key, 0) == 0x6574_6973 && SchemaWord.load32(key, 3) == 0x6469_5F65
                ? .siteID : .other
        case 9:  // "timestam" + "p"
            self = SchemaWord.load64(key) == 0x6D61_7473_656D_6974 && key[8] == 0x70 ? .timestamp : .other
        default:
            self = .other
        }
    }

    /// True for the key "status", the only key read inside `data`.
    @inline(__always)
    static func isStatus(_ key: UnsafeRawBufferPointer) -> Bool {
        // "stat" + "atus"
        key.count == 6 && SchemaWord.load32(key, 0) == 0x7461_7473 && SchemaWord.load32(key, 2) == 0x7375_7461
    }
}

/// The `type` values the schema knows.
enum EventType {
    case message, status, unknown

    @inline(__always)
    init(_ value: UnsafeRawBufferPointer) {
        switch value.count {
        case 7:  // "mess" + "sage"
            self = SchemaWord.load32(value, 0) == 0x7373_656D && SchemaWord.load32(value, 3) == 0x6567_6173
                ? .message : .unknown
        case 6:  // "stat" + "atus"
            self = EventKey.isStatus(value) ? .status : .unknown
        default:
            self = .unknown
        }
    }
}

/// The `data.status` values the schema knows, as the event kind they give.
enum OperatorStatus {
    @inline(__always)
    static func kind(_ value: UnsafeRawBufferPointer) -> EventKind? {
        switch value.count {
        case 6:  // "onli" + "line"
            return SchemaWord.load32(value, 0) == 0x696C_6E6F && SchemaWord.load32(value, 2) == 0x656E_696C
                ? .online : nil
        case 7:  // "offl" + "line"
            return SchemaWord.load32(value, 0) == 0x6C66_666F && SchemaWord.load32(value, 3) == 0x656E_696C
                ? .offline : nil
        default:
            return nil
        }
    }
}
