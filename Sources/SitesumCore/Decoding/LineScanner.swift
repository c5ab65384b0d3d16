#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// The JSON grammar over the raw bytes of one line: whitespace, strings (read
/// or only validated), numbers, literals, and whole values skipped without
/// recursion. It knows nothing about events; `EventParser.swift` builds the
/// event on top of it.
///
/// Positions are 0-based byte offsets into the line; a `MalformedReason`
/// reports them 1-based.
struct LineScanner {
    let base: UnsafeRawPointer
    let count: Int
    // Unowned: the decoder holds the storage for the whole scan, and a
    // counted reference here costs an atomic retain/release per line.
    unowned(unsafe) let storage: DecoderStorage
    /// Where decoded strings of this line go; nil until the line's first escape,
    /// so lines without escapes never touch the decoder's storage.
    private var scratch: UnsafeMutableRawPointer?
    /// Bytes of `scratch` holding strings this line keeps.
    private var scratchUsed = 0

    init(base: UnsafeRawPointer, count: Int, storage: DecoderStorage) {
        self.base = base
        self.count = count
        self.storage = storage
    }

    @inline(__always)
    func byte(_ i: Int) -> UInt8 { base.load(fromByteOffset: i, as: UInt8.self) }

    @inline(__always)
    func view(_ start: Int, _ end: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + start, count: end - start)
    }

    @inline(__always)
    func skipWhitespace(_ start: Int) -> Int {
        var i = start
        while i < count {
            let c = byte(i)
            // Most tokens follow their predecessor directly: one compare decides.
            if c > ASCII.space || !ASCII.isWhitespace(c) { return i }
            i &+= 1
        }
        return i
    }

    /// Skips whitespace, a ':' and whitespace: what separates a key from its value.
    @inline(__always)
    func skipColon(_ start: Int) throws(MalformedReason) -> Int {
        var i = start
        if i < count && byte(i) == ASCII.colon {
            i &+= 1
        } else {
            i = skipWhitespace(i)
            guard i < count && byte(i) == ASCII.colon else {
                throw unexpected(at: i, expected: "':' after an object key")
            }
            i &+= 1
        }
        return skipWhitespace(i)
    }

    // MARK: Strings

    /// The first position at or after `start` whose byte ends the fast scan of
    /// a string body (see `SWAR.stringStopMask`), or `count`.
    @inline(__always)
    func nextStringStop(_ start: Int) -> Int {
        var i = start
        #if arch(x86_64)
        // Sixteen bytes at a time where they are there (SSE2, which every
        // x86-64 processor has): the same stops, at half the instructions per
        // byte of the 8-byte scan below.
        while i &+ 16 <= count {
            let chunk = (base + i).loadUnaligned(as: __m128i.self)
            let quotes: __m128i = _mm_cmpeq_epi8(chunk, _mm_set1_epi8(CChar(bitPattern: ASCII.quote)))
            let backslashes: __m128i = _mm_cmpeq_epi8(chunk, _mm_set1_epi8(CChar(bitPattern: ASCII.backslash)))
            // Signed: bytes from 0x80 up are negative, so below 0x20 too.
            let controls: __m128i = _mm_cmplt_epi8(chunk, _mm_set1_epi8(0x20))
            let stops: __m128i = _mm_or_si128(_mm_or_si128(quotes, backslashes), controls)
            let mask = UInt32(truncatingIfNeeded: _mm_movemask_epi8(stops))
            if mask != 0 { return i &+ mask.trailingZeroBitCount }
            i &+= 16
        }
        #endif
        while i &+ 8 <= count {
            let word = UInt64(littleEndian: (base + i).loadUnaligned(as: UInt64.self))
            let mask = SWAR.stringStopMask(word)
            if mask != 0 { return i &+ (mask.trailingZeroBitCount &>> 3) }
            i &+= 8
        }
        while i < count {
            let c = byte(i)
            if c == ASCII.quote || c == ASCII.backslash || c < 0x20 || c >= 0x80 { return i }
            i &+= 1
        }
        return i
    }

    /// Reads the string whose opening quote is at `open`: its decoded bytes
    /// and the position after its closing quote. The bytes are a view into the
    /// line when the string has no escape, else into scratch; `keep: false`
    /// lets the next string reuse that scratch (keys are only compared).
    @inline(__always)
    mutating func readString(open: Int, keep: Bool) throws(MalformedReason) -> (UnsafeRawBufferPointer, Int) {
        let start = open &+ 1
        let stop = nextStringStop(start)
        if stop < count && byte(stop) == ASCII.quote {
            return (view(start, stop), stop &+ 1)
        }
        return try readStringSlowly(open: open, stop: stop, keep: keep)
    }

    @inline(never)
    private mutating func readStringSlowly(
        open: Int, stop: Int, keep: Bool
    ) throws(MalformedReason) -> (UnsafeRawBufferPointer, Int) {
        var i = stop
        var runStart = open &+ 1
        // Set at the first escape: from there on the string is rebuilt in scratch.
        var out: UnsafeMutableRawPointer? = nil
        var outCount = 0
        while true {
            guard i < count else { throw unterminatedString(open: open) }
            let c = byte(i)
            if c == ASCII.quote {
                guard let out else { return (view(open &+ 1, i), i &+ 1) }
                (out + outCount).copyMemory(from: base + runStart, byteCount: i &- runStart)
                outCount &+= i &- runStart
                if keep { scratchUsed &+= outCount }
                return (UnsafeRawBufferPointer(start: out, count: outCount), i &+ 1)
            } else if c == ASCII.backslash {
                if out == nil { out = scratchTop() }
                (out! + outCount).copyMemory(from: base + runStart, byteCount: i &- runStart)
                outCount &+= i &- runStart
                i = try decodeEscape(at: i, into: out!, count: &outCount)
                runStart = i
            } else if c < 0x20 {
                throw controlCharacter(at: i)
            } else {
                i = try skipNonASCII(at: i)
            }
            i = nextStringStop(i)
        }
    }

    /// The first free scratch byte. Scratch is sized to the line at the line's
    /// first escape: a decoded string is never longer than its source, so the
    /// strings of one line always fit and nothing kept can move.
    private mutating func scratchTop() -> UnsafeMutableRawPointer {
        if let scratch { return scratch + scratchUsed }
        storage.reserveScratch(count)
        let fresh = storage.scratch
        scratch = fresh
        return fresh + scratchUsed
    }

    /// Decodes the escape whose backslash is at `i`, appending its UTF-8 to
    /// `out`; returns the position after it.
    private func decodeEscape(
        at i: Int, into out: UnsafeMutableRawPointer, count outCount: inout Int
    ) throws(MalformedReason) -> Int {
        guard i &+ 1 < count else { throw unfinishedEscape(at: i) }
        let decoded: UInt8
        switch byte(i &+ 1) {
        case ASCII.quote: decoded = ASCII.quote
        case ASCII.backslash: decoded = ASCII.backslash
        case ASCII.slash: decoded = ASCII.slash
        case ASCII.lowerB: decoded = 0x08
        case ASCII.lowerF: decoded = 0x0C
        case ASCII.lowerN: decoded = ASCII.lineFeed
        case ASCII.lowerR: decoded = ASCII.carriageReturn
        case ASCII.lowerT: decoded = ASCII.tab
        case ASCII.lowerU:
            var scalar = try hex4(at: i &+ 2, escapeAt: i)
            var next = i &+ 6
            if scalar & 0xFC00 == 0xD800, next &+ 6 <= count,
               byte(next) == ASCII.backslash, byte(next &+ 1) == ASCII.lowerU,
               let low = optionalHex4(at: next &+ 2), low & 0xFC00 == 0xDC00
            {
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                next &+= 6
            }
            // A surrogate left unpaired gets the 3-byte generalized UTF-8 form
            // (WTF-8), so distinct strings stay distinct.
            outCount &+= encodeUTF8(scalar, into: out + outCount)
            return next
        default:
            throw invalidEscape(at: i)
        }
        out.storeBytes(of: decoded, toByteOffset: outCount, as: UInt8.self)
        outCount &+= 1
        return i &+ 2
    }

    @inline(__always)
    private func encodeUTF8(_ scalar: UInt32, into out: UnsafeMutableRawPointer) -> Int {
        if scalar < 0x80 {
            out.storeBytes(of: UInt8(scalar), as: UInt8.self)
            return 1
        }
        if scalar < 0x800 {
            out.storeBytes(of: UInt8(0xC0 | scalar >> 6), as: UInt8.self)
            out.storeBytes(of: UInt8(0x80 | scalar & 0x3F), toByteOffset: 1, as: UInt8.self)
            return 2
        }
        if scalar < 0x10000 {
            out.storeBytes(of: UInt8(0xE0 | scalar >> 12), as: UInt8.self)
            out.storeBytes(of: UInt8(0x80 | scalar >> 6 & 0x3F), toByteOffset: 1, as: UInt8.self)
            out.storeBytes(of: UInt8(0x80 | scalar & 0x3F), toByteOffset: 2, as: UInt8.self)
            return 3
        }
        out.storeBytes(of: UInt8(0xF0 | scalar >> 18), as: UInt8.self)
        out.storeBytes(of: UInt8(0x80 | scalar >> 12 & 0x3F), toByteOffset: 1, as: UInt8.self)
        out.storeBytes(of: UInt8(0x80 | scalar >> 6 & 0x3F), toByteOffset: 2, as: UInt8.self)
        out.storeBytes(of: UInt8(0x80 | scalar & 0x3F), toByteOffset: 3, as: UInt8.self)
        return 4
    }

    /// The four hex digits of a `\u` escape starting at `i`.
    private func hex4(at i: Int, escapeAt escape: Int) throws(MalformedReason) -> UInt32 {
        var value: UInt32 = 0
        for k in 0..<4 {
            guard i &+ k < count else { throw unfinishedEscape(at: escape) }
            guard let digit = ASCII.hexValue(byte(i &+ k)) else { throw invalidEscape(at: escape) }
            value = value << 4 | digit
        }
        return value
    }

    /// Like `hex4`, for looking ahead at a possible low surrogate: no error.
    @inline(__always)
    private func optionalHex4(at i: Int) -> UInt32? {
        var value: UInt32 = 0
        for k in 0..<4 {
            guard let digit = ASCII.hexValue(byte(i &+ k)) else { return nil }
            value = value << 4 | digit
        }
        return value
    }

    /// Validates the string whose opening quote is at `open` without keeping
    /// its value; returns the position after its closing quote.
    func skipString(open: Int) throws(MalformedReason) -> Int {
        var i = nextStringStop(open &+ 1)
        while true {
            guard i < count else { throw unterminatedString(open: open) }
            let c = byte(i)
            if c == ASCII.quote { return i &+ 1 }
            if c == ASCII.backslash {
                i = try skipEscape(at: i)
            } else if c < 0x20 {
                throw controlCharacter(at: i)
            } else {
                i = try skipNonASCII(at: i)
            }
            i = nextStringStop(i)
        }
    }

    private func skipEscape(at i: Int) throws(MalformedReason) -> Int {
        guard i &+ 1 < count else { throw unfinishedEscape(at: i) }
        switch byte(i &+ 1) {
        case ASCII.quote, ASCII.backslash, ASCII.slash,
             ASCII.lowerB, ASCII.lowerF, ASCII.lowerN, ASCII.lowerR, ASCII.lowerT:
            return i &+ 2
        case ASCII.lowerU:
            _ = try hex4(at: i &+ 2, escapeAt: i)
            return i &+ 6
        default:
            throw invalidEscape(at: i)
        }
    }

    /// Validates the run of non-ASCII characters starting at `i`; returns
    /// where the run ends. Text in other scripts comes in such runs, which
    /// are cheaper to cross here than by going back to the 8-byte scan after
    /// each character.
    @inline(__always)
    private func skipNonASCII(at start: Int) throws(MalformedReason) -> Int {
        var i = start
        repeat {
            let length = utf8SequenceLength(at: i)
            guard length != 0 else { throw invalidUTF8(at: i) }
            i &+= length
        } while i < count && byte(i) >= 0x80
        return i
    }

    /// The length of the well-formed UTF-8 sequence whose lead byte (0x80 or
    /// more) is at `i`, or 0 when it is not one (Unicode table 3-7).
    @inline(__always)
    func utf8SequenceLength(at i: Int) -> Int {
        let lead = byte(i)
        if lead < 0xC2 { return 0 }  // a continuation byte, or the lead of an overlong pair
        if lead < 0xE0 {
            guard i &+ 1 < count, ASCII.isContinuation(byte(i &+ 1)) else { return 0 }
            return 2
        }
        if lead < 0xF0 {
            guard i &+ 2 < count else { return 0 }
            let second = byte(i &+ 1)
            let low: UInt8 = lead == 0xE0 ? 0xA0 : 0x80  // below: overlong
            let high: UInt8 = lead == 0xED ? 0x9F : 0xBF  // above: a surrogate
            guard second >= low, second <= high, ASCII.isContinuation(byte(i &+ 2)) else { return 0 }
            return 3
        }
        if lead < 0xF5 {
            guard i &+ 3 < count else { return 0 }
            let second = byte(i &+ 1)
            let low: UInt8 = lead == 0xF0 ? 0x90 : 0x80  // below: overlong
            let high: UInt8 = lead == 0xF4 ? 0x8F : 0xBF  // above: beyond U+10FFFF
            guard second >= low, second <= high,
                  ASCII.isContinuation(byte(i &+ 2)), ASCII.isContinuation(byte(i &+ 3))
            else { return 0 }
            return 4
        }
        return 0
    }

    // MARK: Numbers and literals

    /// Validates the number starting at `start` (a '-' or a digit); returns
    /// the position after it and whether it is an integer (no fraction, no
    /// exponent).
    func scanNumber(at start: Int) throws(MalformedReason) -> (end: Int, isInteger: Bool) {
        var i = start
        if byte(i) == ASCII.minus { i &+= 1 }
        guard i < count && ASCII.isDigit(byte(i)) else {
            throw numberError(at: i, expected: "a digit after '-'")
        }
        if byte(i) == ASCII.zero {
            i &+= 1
            if i < count && ASCII.isDigit(byte(i)) { throw leadingZero(at: start) }
        } else {
            i &+= 1
            while i < count && ASCII.isDigit(byte(i)) { i &+= 1 }
        }
        var isInteger = true
        if i < count && byte(i) == ASCII.dot {
            i &+= 1
            guard i < count && ASCII.isDigit(byte(i)) else {
                throw numberError(at: i, expected: "a digit after the decimal point")
            }
            while i < count && ASCII.isDigit(byte(i)) { i &+= 1 }
            isInteger = false
        }
        if i < count && byte(i) | 0x20 == ASCII.lowerE {
            i &+= 1
            if i < count && (byte(i) == ASCII.plus || byte(i) == ASCII.minus) { i &+= 1 }
            guard i < count && ASCII.isDigit(byte(i)) else {
                throw numberError(at: i, expected: "a digit in the exponent")
            }
            while i < count && ASCII.isDigit(byte(i)) { i &+= 1 }
            isInteger = false
        }
        return (i, isInteger)
    }

    /// Validates `true`, `false` or `null` at `start` (its first letter is
    /// already known to be 't', 'f' or 'n'); returns the position after it.
    func scanLiteral(at start: Int) throws(MalformedReason) -> Int {
        // The literal's bytes, little-endian, so byte k is `bytes >> 8k`.
        let bytes: UInt64
        let length: Int
        switch byte(start) {
        case ASCII.lowerT: (bytes, length) = (0x6575_7274, 4)
        case ASCII.lowerF: (bytes, length) = (0x65_736C_6166, 5)
        default: (bytes, length) = (0x6C6C_756E, 4)
        }
        for k in 1..<length {
            let i = start &+ k
            guard i < count && byte(i) == UInt8(truncatingIfNeeded: bytes >> UInt64(8 * k)) else {
                throw badLiteral(at: i, start: start)
            }
        }
        return start &+ length
    }

    // MARK: Whole values

    /// Validates the JSON value starting at `start` (whitespace already
    /// skipped) without keeping any of it; returns the position after it.
    ///
    /// Nesting is tracked on an explicit bit stack (1 = object, 0 = array),
    /// so any depth the line can hold is fine.
    func skipValue(at start: Int) throws(MalformedReason) -> Int {
        var i = start
        var stack = NestingStack(storage: storage)
        while true {
            // Here `i` is at the start of a value.
            guard i < count else { throw unexpected(at: i, expected: "a value") }
            switch byte(i) {
            case ASCII.quote:
                i = try skipString(open: i)
            case ASCII.openBrace:
                i = skipWhitespace(i &+ 1)
                if i < count && byte(i) == ASCII.closeBrace {
                    i &+= 1
                } else {
                    stack.push(isObject: true)
                    i = try skipKey(at: i, expected: "a string key or '}'")
                    continue
                }
            case ASCII.openBracket:
                i = skipWhitespace(i &+ 1)
                if i < count && byte(i) == ASCII.closeBracket {
                    i &+= 1
                } else {
                    stack.push(isObject: false)
                    continue
                }
            case ASCII.minus, ASCII.zero...ASCII.nine:
                i = try scanNumber(at: i).end
            case ASCII.lowerT, ASCII.lowerF, ASCII.lowerN:
                i = try scanLiteral(at: i)
            default:
                throw unexpected(at: i, expected: "a value")
            }
            // A value just ended: close every container that ends with it.
            while true {
                if stack.depth == 0 { return i }
                i = skipWhitespace(i)
                guard i < count else {
                    throw unexpected(at: i, expected: stack.innermostIsObject ? "',' or '}'" : "',' or ']'")
                }
                let c = byte(i)
                if c == ASCII.comma {
                    i = skipWhitespace(i &+ 1)
                    if stack.innermostIsObject { i = try skipKey(at: i, expected: "a string key") }
                    break
                }
                if stack.innermostIsObject ? c == ASCII.closeBrace : c == ASCII.closeBracket {
                    stack.pop()
                    i &+= 1
                    continue
                }
                throw unexpected(at: i, expected: stack.innermostIsObject ? "',' or '}'" : "',' or ']'")
            }
        }
    }

    /// Validates a key and its ':' inside a skipped object; returns where the
    /// value starts.
    private func skipKey(at i: Int, expected: @autoclosure () -> String) throws(MalformedReason) -> Int {
        guard i < count && byte(i) == ASCII.quote else { throw unexpected(at: i, expected: expected()) }
        return try skipColon(try skipString(open: i))
    }
}

/// One bit per open container of a skipped value. The first 64 levels live in
/// a register; deeper ones spill into the decoder's storage, which grows as
/// needed, so nesting depth is bounded only by the line's length.
struct NestingStack {
    private(set) var depth = 0
    private var shallow: UInt64 = 0
    private var deep: UnsafeMutablePointer<UInt64>?
    private var deepWords = 0
    unowned(unsafe) private let storage: DecoderStorage

    init(storage: DecoderStorage) { self.storage = storage }

    @inline(__always)
    mutating func push(isObject: Bool) {
        if depth < 64 {
            let bit = UInt64(1) << UInt64(depth)
            shallow = isObject ? shallow | bit : shallow & ~bit
        } else {
            pushDeep(isObject: isObject)
        }
        depth &+= 1
    }

    @inline(never)
    private mutating func pushDeep(isObject: Bool) {
        let level = depth - 64
        let word = level >> 6
        if word >= deepWords {
            storage.growDeepStack(toAtLeast: word + 1)
            deep = storage.deepStack
            deepWords = storage.deepStackWords
        }
        let bit = UInt64(1) << UInt64(level & 63)
        deep![word] = isObject ? deep![word] | bit : deep![word] & ~bit
    }

    @inline(__always)
    mutating func pop() { depth &-= 1 }

    @inline(__always)
    var innermostIsObject: Bool {
        let level = depth &- 1
        if level < 64 { return shallow >> UInt64(level) & 1 != 0 }
        let deepLevel = level - 64
        return deep![deepLevel >> 6] >> UInt64(deepLevel & 63) & 1 != 0
    }
}
