/// The shortcut for an event line written the way logs almost always write
/// one: the schema's keys in the schema's order, once each, with no
/// whitespace, plain strings (ASCII, no escape, no byte below 0x20) for `id`,
/// `from` and `site_id`, and `data` holding just `message` (any string) or
/// `status` (`online` or `offline`):
///
/// ```
/// {"id":"…","type":"message","from":"…","site_id":"…","timestamp":N,"data":{"message":"…"}}
/// {"id":"…","type":"status","from":"…","site_id":"…","timestamp":N,"data":{"status":"online"}}
/// ```
///
/// Such a line is read front to back against that template: a fixed piece is
/// compared as one or two 8-byte loads, a string is crossed by the 8-byte
/// scan (`nextStringStop`), and there is no dispatch on keys and no per-field
/// bookkeeping. Every byte is still checked: a line that deviates anywhere —
/// another key, an escape, a space, a number that is not a plain integer, a
/// message that is not valid JSON — gets nil and is parsed the general way
/// (`parseEvent`), which alone reports problems. A line that fits is valid
/// JSON whose keys are all distinct, so the general way would make exactly
/// the same event of it (a test compares the two on every line of generated
/// logs).
extension LineScanner {
    /// The event of a line that fits the template, which starts at byte 0;
    /// nil for any other line.
    @inline(__always)
    func plainEvent() -> RawEvent? {
        plainEvent(newlineEnded: false)?.event
    }

    /// The event of a line that fits the template, and the line's length.
    /// `newlineEnded` false: the scanner's bytes are the line. True: they run
    /// from the line's start on past its end (the rest of a piece of lines,
    /// `DecodedBatch.stageLines`), and a line that fits ends with "\n" right
    /// after the template's last piece, so no search for its end is needed.
    /// None of the template's pieces holds a "\n", and no string it crosses
    /// can (a raw control character ends the scan), so a line fits the same
    /// either way.
    @inline(__always)
    func plainEvent(newlineEnded: Bool) -> (event: RawEvent, length: Int)? {
        guard matches(PlainEventPiece.open, at: 0) else { return nil }
        let idStart = PlainEventPiece.open.count
        // A canonical UUID followed by the closing quote is a plain string
        // (hex digits and dashes only): parsing it checks every byte the
        // string scan would, and the id is not parsed a second time.
        let uuidEnd = idStart &+ UUIDText.length
        let uuid = uuidEnd < count && byte(uuidEnd) == ASCII.quote ? UUIDText.parse(view(idStart, uuidEnd)) : nil
        let idEnd = uuid == nil ? plainStringEnd(idStart) : uuidEnd
        guard idEnd > idStart, matches(PlainEventPiece.type, at: idEnd) else { return nil }
        var i = idEnd &+ PlainEventPiece.type.count
        let isMessage: Bool
        if matches(PlainEventPiece.message, at: i) {
            isMessage = true
            i &+= PlainEventPiece.message.count
        } else if matches(PlainEventPiece.status, at: i) {
            isMessage = false
            i &+= PlainEventPiece.status.count
        } else {
            return nil
        }
        guard matches(PlainEventPiece.from, at: i) else { return nil }
        let fromStart = i &+ PlainEventPiece.from.count
        let fromEnd = plainStringEnd(fromStart)
        guard fromEnd >= fromStart, matches(PlainEventPiece.site, at: fromEnd) else { return nil }
        let siteStart = fromEnd &+ PlainEventPiece.site.count
        let siteEnd = plainStringEnd(siteStart)
        guard siteEnd >= siteStart, matches(PlainEventPiece.timestamp, at: siteEnd) else { return nil }
        let numberStart = siteEnd &+ PlainEventPiece.timestamp.count
        guard let (timestamp, numberEnd) = plainInteger(at: numberStart),
              matches(PlainEventPiece.data, at: numberEnd)
        else { return nil }
        i = numberEnd &+ PlainEventPiece.data.count
        let kind: EventKind
        let length: Int
        if isMessage {
            guard matches(PlainEventPiece.messageKey, at: i) else { return nil }
            // The message's opening quote ends the piece just matched.
            let open = i &+ PlainEventPiece.messageKey.count &- 1
            guard let end = try? skipString(open: open) else { return nil }
            length = lineEnd(with: PlainEventPiece.close, at: end, newlineEnded: newlineEnded)
            guard length >= 0 else { return nil }
            kind = .message
        } else {
            guard matches(PlainEventPiece.statusKey, at: i) else { return nil }
            i &+= PlainEventPiece.statusKey.count
            let online = lineEnd(with: PlainEventPiece.online, at: i, newlineEnded: newlineEnded)
            let offline = online >= 0 ? -1 : lineEnd(with: PlainEventPiece.offline, at: i, newlineEnded: newlineEnded)
            guard online >= 0 || offline >= 0 else { return nil }
            kind = online >= 0 ? .online : .offline
            length = max(online, offline)
        }
        var event = RawEvent(kind: kind, timestamp: timestamp, id: view(idStart, idEnd),
                             from: view(fromStart, fromEnd), site: view(siteStart, siteEnd))
        event.uuid = uuid
        return (event, length)
    }

    /// Where the line ends when its last piece is `piece`, at `i`: the end
    /// of the bytes (`newlineEnded` false), or the "\n" right after the
    /// piece; -1 when the piece is not there or does not end the line.
    /// Transparent: marked `@inline(__always)`, it was still compiled out of
    /// line, called with its piece as a value (44 instructions a line).
    @_transparent
    func lineEnd(with piece: PlainEventPiece, at i: Int, newlineEnded: Bool) -> Int {
        if newlineEnded {
            let end = i &+ piece.count
            return end < count && byte(end) == ASCII.lineFeed && matches(piece, at: i) ? end : -1
        }
        return ends(with: piece, at: i) ? count : -1
    }

    /// Whether the line holds `piece` at `i`.
    @inline(__always)
    func matches(_ piece: PlainEventPiece, at i: Int) -> Bool {
        guard i &+ 16 <= count else { return matchesNearEnd(piece, at: i) }
        let first = UInt64(littleEndian: (base + i).loadUnaligned(as: UInt64.self))
        if piece.count <= 8 { return first & piece.firstMask == piece.first }
        let second = UInt64(littleEndian: (base + (i &+ 8)).loadUnaligned(as: UInt64.self))
        return first == piece.first && second & piece.secondMask == piece.second
    }

    /// Whether the line ends with `piece`, which starts at `i`. The last
    /// bytes are compared as the word that ends the line, so the line's
    /// last piece needs no byte-by-byte comparison.
    @inline(__always)
    func ends(with piece: PlainEventPiece, at i: Int) -> Bool {
        guard count &- i == piece.count else { return false }
        guard count >= 16 else { return matchesNearEnd(piece, at: i) }
        let last = UInt64(littleEndian: (base + (count &- 8)).loadUnaligned(as: UInt64.self))
        if piece.count <= 8 { return last >> UInt64(64 &- 8 &* piece.count) == piece.first }
        let first = UInt64(littleEndian: (base + i).loadUnaligned(as: UInt64.self))
        return first == piece.first && last >> UInt64(64 &- 8 &* (piece.count &- 8)) == piece.second
    }

    /// `matches` where the line has fewer than 16 bytes left, one byte at a time.
    @inline(never)
    func matchesNearEnd(_ piece: PlainEventPiece, at i: Int) -> Bool {
        guard i &+ piece.count <= count else { return false }
        for k in 0..<piece.count where byte(i &+ k) != piece.byte(k) { return false }
        return true
    }

    /// Where the plain string starting at `start` ends (its closing quote),
    /// or -1 when it is not plain: an escape, a control character or a
    /// non-ASCII byte comes first, or the line ends.
    @inline(__always)
    func plainStringEnd(_ start: Int) -> Int {
        let stop = nextStringStop(start)
        return stop < count && byte(stop) == ASCII.quote ? stop : -1
    }

    /// The JSON integer at `start` (an optional '-', then 0 or digits with no
    /// leading zero) within the signed 64-bit range, and the position after
    /// it; nil for anything else.
    ///
    /// Up to 16 digits are found and read 8 at a time (`SWAR.nonDigitMask`,
    /// `SWAR.digitsValue`) where 16 bytes of the line are there, which they
    /// always are in a line that fits the template; up to 7 here, 8 to 16 by
    /// `longInteger`, which takes longer numbers, and numbers near the
    /// line's end, one digit at a time. More than 19 digits never fit, and
    /// are not taken here.
    @inline(__always)
    func plainInteger(at start: Int) -> (Int64, Int)? {
        var i = start
        let negative = i < count && byte(i) == ASCII.minus
        if negative { i &+= 1 }
        let digits = i
        var magnitude: UInt64
        let first = i &+ 16 <= count ? UInt64(littleEndian: (base + i).loadUnaligned(as: UInt64.self)) : 0
        let firstStops = SWAR.nonDigitMask(first)
        if i &+ 16 <= count && firstStops != 0 {
            let length = firstStops.trailingZeroBitCount &>> 3
            magnitude = SWAR.digitsValue(first, count: length)
            i &+= length
        } else {
            (magnitude, i) = longInteger(at: i)
        }
        let length = i &- digits
        guard length > 0, length <= 19, byte(digits) != ASCII.zero || length == 1,
              let value = EventFields.int64(magnitude: magnitude, negative: negative)
        else { return nil }
        return (value, i)
    }
}

extension LineScanner {
    /// The digits from `start` on, as `plainInteger` reads them when the
    /// first 8 bytes there are all digits, or fewer than 16 bytes are left:
    /// their value (wrapped past 64 bits) and where they end. Out of line:
    /// most numbers are shorter.
    @inline(never)
    func longInteger(at start: Int) -> (UInt64, Int) {
        var i = start
        if i &+ 16 <= count {
            let first = UInt64(littleEndian: (base + i).loadUnaligned(as: UInt64.self))
            let second = UInt64(littleEndian: (base + (i &+ 8)).loadUnaligned(as: UInt64.self))
            let secondStops = SWAR.nonDigitMask(second)
            if secondStops != 0 {
                let length = secondStops.trailingZeroBitCount &>> 3
                let value = SWAR.digitsValue(first, count: 8) &* SWAR.powerOfTen(length) &+ SWAR.digitsValue(second, count: length)
                return (value, i &+ 8 &+ length)
            }
        }
        var magnitude: UInt64 = 0
        while i < count {
            let digit = byte(i) &- ASCII.zero
            if digit >= 10 { break }
            magnitude = magnitude &* 10 &+ UInt64(digit)
            i &+= 1
        }
        return (magnitude, i)
    }
}

/// A fixed piece of the template `plainEvent` reads: up to 16 bytes, as two
/// little-endian words (the unused high bytes zero). The pieces are computed
/// properties, so that once `matches` is inlined their words and masks are
/// constants in the code.
struct PlainEventPiece {
    let first: UInt64
    let second: UInt64
    let count: Int

    @inline(__always) var firstMask: UInt64 { count >= 8 ? ~0 : (1 << UInt64(8 * count)) - 1 }
    @inline(__always) var secondMask: UInt64 { count >= 16 ? ~0 : count <= 8 ? 0 : (1 << UInt64(8 * (count - 8))) - 1 }

    /// Byte `k` of the piece.
    func byte(_ k: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: (k < 8 ? first : second) >> UInt64(8 * (k & 7)))
    }

    @inline(__always) static var open: PlainEventPiece { PlainEventPiece(first: 0x0022_3A22_6469_227B, second: 0, count: 7) }  // {"id":"
    @inline(__always) static var type: PlainEventPiece { PlainEventPiece(first: 0x2265_7079_7422_2C22, second: 0x223A, count: 10) }  // ","type":"
    @inline(__always) static var message: PlainEventPiece { PlainEventPiece(first: 0x2265_6761_7373_656D, second: 0, count: 8) }  // message"
    @inline(__always) static var status: PlainEventPiece { PlainEventPiece(first: 0x0022_7375_7461_7473, second: 0, count: 7) }  // status"
    @inline(__always) static var from: PlainEventPiece { PlainEventPiece(first: 0x3A22_6D6F_7266_222C, second: 0x22, count: 9) }  // ,"from":"
    @inline(__always) static var site: PlainEventPiece { PlainEventPiece(first: 0x5F65_7469_7322_2C22, second: 0x22_3A22_6469, count: 13) }  // ","site_id":"
    @inline(__always) static var timestamp: PlainEventPiece { PlainEventPiece(first: 0x7365_6D69_7422_2C22, second: 0x3A22_706D_6174, count: 14) }  // ","timestamp":
    @inline(__always) static var data: PlainEventPiece { PlainEventPiece(first: 0x3A22_6174_6164_222C, second: 0x227B, count: 10) }  // ,"data":{"
    @inline(__always) static var messageKey: PlainEventPiece { PlainEventPiece(first: 0x2265_6761_7373_656D, second: 0x223A, count: 10) }  // message":"
    @inline(__always) static var statusKey: PlainEventPiece { PlainEventPiece(first: 0x3A22_7375_7461_7473, second: 0x22, count: 9) }  // status":"
    @inline(__always) static var online: PlainEventPiece { PlainEventPiece(first: 0x7D22_656E_696C_6E6F, second: 0x7D, count: 9) }  // online"}}
    @inline(__always) static var offline: PlainEventPiece { PlainEventPiece(first: 0x2265_6E69_6C66_666F, second: 0x7D7D, count: 10) }  // offline"}}
    @inline(__always) static var close: PlainEventPiece { PlainEventPiece(first: 0x7D7D, second: 0, count: 2) }  // }}
}
