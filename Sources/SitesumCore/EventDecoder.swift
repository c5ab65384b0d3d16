/// Decodes one line of the log into a `RawEvent`, or says why the line is
/// malformed, following the "Input" rules of SPEC.md.
///
/// It is a scanner specialised to the event schema, working on the line's raw
/// UTF-8 bytes: it accepts all of JSON (any key order, whitespace, escapes,
/// unknown keys holding any value at any depth) but keeps only the fields an
/// event needs, as views into the line, or into scratch memory the decoder
/// owns when escapes had to be decoded. That memory is allocated once and
/// reused, growing only for a longer line than any before, so decoding does
/// not allocate per line. A line in the schema's plain form (keys in order,
/// no whitespace, no escapes in the names) is first read against that
/// template (`LineScanner.plainEvent`); any other line, and every problem,
/// goes the general way.
///
/// Copies of a decoder share nothing observable: a copy that decodes while
/// another copy still holds the storage gets storage of its own first.
public struct EventDecoder {
    private var storage = DecoderStorage()

    public init() {}

    /// Decodes `line`, one line WITHOUT its "\n" (a trailing "\r" may still be
    /// there: it is JSON whitespace).
    ///
    /// The views in a returned event stay valid until the next call to
    /// `decode` on this decoder, and only while `line`'s bytes are alive.
    public mutating func decode(_ line: UnsafeRawBufferPointer) -> DecodeResult {
        decode(line, templateTried: false)
    }

    /// The event of `line` when it is in the schema's plain form (see
    /// `LineScanner.plainEvent`), read against the template alone; nil for
    /// any other line, which `decode(_:templateTried: true)` then decodes.
    /// The fast way for callers that keep an event's fields themselves: no
    /// `DecodeResult` is made, and nothing of the storage is touched.
    @inline(__always)
    public mutating func plainEvent(_ line: UnsafeRawBufferPointer) -> RawEvent? {
        guard let base = line.baseAddress, line.count > 0 else { return nil }
        return LineScanner(base: base, count: line.count, storage: storage).plainEvent()
    }

    /// The event of the line at the start of `lines` (lines back to back,
    /// each with its "\n") when it is in the plain form, and the line's
    /// length without "\n"; nil for any other line. The template finds the
    /// line's end itself (`LineScanner.plainEvent(newlineEnded:)`).
    @inline(__always)
    mutating func plainEvent(startOf lines: UnsafeRawBufferPointer) -> (event: RawEvent, length: Int)? {
        guard let base = lines.baseAddress, lines.count > 0 else { return nil }
        return LineScanner(base: base, count: lines.count, storage: storage).plainEvent(newlineEnded: true)
    }

    /// `decode(_:)`, leaving out the template when the caller already read
    /// `line` against it (`plainEvent`) and it did not fit.
    public mutating func decode(_ line: UnsafeRawBufferPointer, templateTried: Bool) -> DecodeResult {
        guard let base = line.baseAddress, line.count > 0 else { return .blank }
        if !isKnownUniquelyReferenced(&storage) { storage = DecoderStorage() }
        // The template is read through a constant scanner: a variable one
        // is copied on the stack for each non-mutating call.
        let plain = LineScanner(base: base, count: line.count, storage: storage)
        let start = plain.skipWhitespace(0)
        if start == line.count { return .blank }
        if !templateTried && start == 0, let event = plain.plainEvent() { return .event(event) }
        var scanner = plain
        do throws(MalformedReason) {
            return .event(try scanner.parseEvent(at: start))
        } catch {
            return .malformed(error)
        }
    }
}

// Safe to send: the only reference a decoder holds is its storage, which it
// only writes to while it is the storage's sole owner (see `decode`).
extension EventDecoder: @unchecked Sendable {}
