/// One event as the generator decided it: compact enough that the recent ones
/// fit in a fixed ring, and complete enough that rendering it again gives the
/// same bytes. That is how exact retransmits are written without keeping
/// lines around.
struct EventRecord {
    /// The 128 bits of the id, already carrying the UUID v4 version and
    /// variant bits.
    var idHigh: UInt64
    var idLow: UInt64
    /// Status (operator) event rather than message (visitor) event.
    var isStatus: Bool
    /// For a status event: online rather than offline.
    var online: Bool
    /// Site number, 1-based; the site id is its decimal text.
    var site: UInt64
    /// Operator or visitor number, 1-based.
    var sender: UInt64
    var timestamp: Int64
    /// How the producer encodes this line.
    var style: LineStyle

    /// Sets the UUID v4 version nibble and RFC 4122 variant bits on raw
    /// random bits.
    static func uuidBits(_ high: UInt64, _ low: UInt64) -> (UInt64, UInt64) {
        ((high & ~0xF000) | 0x4000, (low & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000)
    }
}

/// How one producer encodes an event. Most lines have no flags (the SPEC's
/// compact form); each flag is set on about 1% of lines, independently, so
/// combinations occur too. `seed` drives every choice made while rendering
/// (message words, key order, which character is escaped ...).
struct LineStyle {
    var flags: Flags
    var seed: UInt64

    struct Flags: OptionSet {
        var rawValue: UInt8

        /// Members in a shuffled order.
        static let reordered = Flags(rawValue: 1 << 0)
        /// Unknown members, some holding nested objects and arrays.
        static let extraKeys = Flags(rawValue: 1 << 1)
        /// Whitespace between tokens and around the object.
        static let spaced = Flags(rawValue: 1 << 2)
        /// `"site_id":7` instead of `"site_id":"7"`.
        static let integerSite = Flags(rawValue: 1 << 3)
        /// One character of a string written as a `\u00XX` escape.
        static let escaped = Flags(rawValue: 1 << 4)
        /// CRLF line end.
        static let crlf = Flags(rawValue: 1 << 5)
        /// A member repeated: a decoy first, the real value last (last wins).
        static let duplicateKeys = Flags(rawValue: 1 << 6)
        /// A message whose `data` is missing, null, or not the usual object.
        static let oddMessageData = Flags(rawValue: 1 << 7)
    }

    /// Draws the flags from one random word: each of its 8 bytes sets one
    /// flag when below 3, i.e. with probability 3/256 ≈ 1.2%.
    static func random(flagBits: UInt64, seed: UInt64) -> LineStyle {
        var raw: UInt8 = 0
        for bit in 0..<8 where UInt8(truncatingIfNeeded: flagBits >> UInt64(bit * 8)) < 3 {
            raw |= 1 << UInt8(bit)
        }
        return LineStyle(flags: Flags(rawValue: raw), seed: seed)
    }
}
