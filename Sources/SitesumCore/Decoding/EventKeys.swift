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

/// The schema's words as they almost always appear: plainly, with no escape,
/// followed by their closing quote. One 8-byte load of the bytes after the
/// opening quote then recognises a word and where it ends, without scanning
/// the string first. Anything else (escapes, unknown words, a line too short
/// for the load) goes the general way, so these are shortcuts, not rules.
extension LineScanner {
    @inline(__always)
    func word(at i: Int) -> UInt64 {
        UInt64(littleEndian: (base + i).loadUnaligned(as: UInt64.self))
    }

    /// A top-level key starting at `start` (just after its quote), and the
    /// position after its closing quote.
    @inline(__always)
    func plainTopLevelKey(at start: Int) -> (key: EventKey, end: Int)? {
        guard start &+ 8 <= count else { return nil }
        let w = word(at: start)
        if w & 0xFF_FFFF == 0x22_6469 { return (.id, start &+ 3) }  // id"
        switch w & 0xFF_FFFF_FFFF {
        case 0x22_6570_7974: return (.type, start &+ 5)  // type"
        case 0x22_6D6F_7266: return (.from, start &+ 5)  // from"
        case 0x22_6174_6164: return (.data, start &+ 5)  // data"
        default: break
        }
        if w == 0x2264_695F_6574_6973 { return (.siteID, start &+ 8) }  // site_id"
        if w == 0x6D61_7473_656D_6974, start &+ 10 <= count,  // timestam
           UInt16(littleEndian: (base + (start &+ 8)).loadUnaligned(as: UInt16.self)) == 0x2270  // p"
        {
            return (.timestamp, start &+ 10)
        }
        return nil
    }

    /// A key inside `data` starting at `start`: whether it is `status`, and
    /// the position after its closing quote. Only `status` and `message` are
    /// recognised; other keys take the general way.
    @inline(__always)
    func plainDataKey(at start: Int) -> (isStatus: Bool, end: Int)? {
        guard start &+ 8 <= count else { return nil }
        let w = word(at: start)
        if w & 0xFF_FFFF_FFFF_FFFF == 0x22_7375_7461_7473 { return (true, start &+ 7) }  // status"
        if w == 0x2265_6761_7373_656D { return (false, start &+ 8) }  // message"
        return nil
    }

    /// The length of the schema value (`message`, `status`, `online`,
    /// `offline`) spelled plainly from `start` up to its closing quote.
    @inline(__always)
    func plainSchemaValueLength(at start: Int) -> Int? {
        guard start &+ 8 <= count else { return nil }
        let w = word(at: start)
        if w == 0x2265_6761_7373_656D || w == 0x2265_6E69_6C66_666F { return 7 }  // message" offline"
        let seven = w & 0xFF_FFFF_FFFF_FFFF
        if seven == 0x22_7375_7461_7473 || seven == 0x22_656E_696C_6E6F { return 6 }  // status" online"
        return nil
    }
}
