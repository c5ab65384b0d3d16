/// The event schema on top of the JSON scanner: walks the top-level object,
/// reads the fields the schema needs, looks into `data` for `status`, and
/// validates (without keeping) everything else.
extension LineScanner {
    /// Parses the line as one event; `open` is its first non-whitespace byte.
    mutating func parseEvent(at open: Int) throws(MalformedReason) -> RawEvent {
        guard byte(open) == ASCII.openBrace else { throw notAnObject(at: open) }
        var fields = EventFields()
        var i = skipWhitespace(open &+ 1)
        if i < count && byte(i) == ASCII.closeBrace {
            i &+= 1
        } else {
            var first = true
            while true {
                try expectKey(at: i, first: first)
                first = false
                let key: EventKey
                if let plain = plainTopLevelKey(at: i &+ 1) {
                    key = plain.key
                    i = try skipColon(plain.end)
                } else {
                    let (text, afterKey) = try readString(open: i, keep: false)
                    key = EventKey(text)
                    i = try skipColon(afterKey)
                }
                switch key {
                case .id: i = try readField(at: i, into: &fields.id)
                case .type: i = try readField(at: i, into: &fields.type, schemaWordLikely: true)
                case .from: i = try readField(at: i, into: &fields.from)
                case .siteID: i = try readField(at: i, into: &fields.site)
                case .timestamp: i = try readField(at: i, into: &fields.timestamp)
                case .data: i = try readData(at: i, into: &fields)
                case .other: i = try skipValue(at: i)
                }
                let (next, more) = try afterMember(at: i)
                i = next
                if !more { break }
            }
        }
        i = skipWhitespace(i)
        guard i == count else { throw trailingGarbage(at: i) }
        return try fields.event()
    }

    /// Reads the value of a field the schema keeps into `field`; returns the
    /// position after it. Strings and integers, the types the schema wants,
    /// take the short way.
    @inline(__always)
    private mutating func readField(
        at i: Int, into field: inout FieldValue, schemaWordLikely: Bool = false
    ) throws(MalformedReason) -> Int {
        if i < count {
            let c = byte(i)
            if c == ASCII.quote {
                if schemaWordLikely, let length = plainSchemaValueLength(at: i &+ 1) {
                    field = FieldValue(position: i, type: .string, text: view(i &+ 1, i &+ 1 &+ length))
                    return i &+ 2 &+ length
                }
                let (text, end) = try readString(open: i, keep: true)
                field = FieldValue(position: i, type: .string, text: text)
                return end
            }
            if ASCII.isDigit(c) {
                let (end, isInteger) = try scanNumber(at: i)
                field = FieldValue(position: i, type: isInteger ? .integer : .nonIntegerNumber, text: view(i, end))
                return end
            }
        }
        let (value, end) = try readFieldValue(at: i)
        field = value
        return end
    }

    /// Reads the value of a field the schema keeps: strings decoded, numbers
    /// and literals as their text, containers validated and skipped.
    private mutating func readFieldValue(at i: Int) throws(MalformedReason) -> (FieldValue, Int) {
        guard i < count else { throw unexpected(at: i, expected: "a value") }
        switch byte(i) {
        case ASCII.quote:
            let (text, end) = try readString(open: i, keep: true)
            return (FieldValue(position: i, type: .string, text: text), end)
        case ASCII.minus, ASCII.zero...ASCII.nine:
            let (end, isInteger) = try scanNumber(at: i)
            return (FieldValue(position: i, type: isInteger ? .integer : .nonIntegerNumber, text: view(i, end)), end)
        case ASCII.lowerT, ASCII.lowerF, ASCII.lowerN:
            let end = try scanLiteral(at: i)
            return (FieldValue(position: i, type: byte(i) == ASCII.lowerN ? .null : .boolean, text: view(i, end)), end)
        case ASCII.openBrace:
            return (FieldValue(position: i, type: .object), try skipValue(at: i))
        case ASCII.openBracket:
            return (FieldValue(position: i, type: .array), try skipValue(at: i))
        default:
            throw unexpected(at: i, expected: "a value")
        }
    }

    /// Reads a `data` value. Only an object's own `status` key matters; any
    /// other value is validated and remembered by its type alone.
    private mutating func readData(at start: Int, into fields: inout EventFields) throws(MalformedReason) -> Int {
        fields.status = FieldValue()
        guard start < count && byte(start) == ASCII.openBrace else {
            let (value, end) = try readFieldValue(at: start)
            fields.data = FieldValue(position: start, type: value.type)
            return end
        }
        fields.data = FieldValue(position: start, type: .object)
        var i = skipWhitespace(start &+ 1)
        if i < count && byte(i) == ASCII.closeBrace { return i &+ 1 }
        var first = true
        while true {
            try expectKey(at: i, first: first)
            first = false
            let isStatus: Bool
            if let plain = plainDataKey(at: i &+ 1) {
                isStatus = plain.isStatus
                i = try skipColon(plain.end)
            } else {
                let (text, afterKey) = try readString(open: i, keep: false)
                isStatus = EventKey.isStatus(text)
                i = try skipColon(afterKey)
            }
            if isStatus {
                i = try readField(at: i, into: &fields.status, schemaWordLikely: true)
            } else {
                i = try skipValue(at: i)
            }
            let (next, more) = try afterMember(at: i)
            if !more { return next }
            i = next
        }
    }

    /// Checks that a member's key starts at `i` (the first member may be absent: `{}`).
    @inline(__always)
    private func expectKey(at i: Int, first: Bool) throws(MalformedReason) {
        guard i < count && byte(i) == ASCII.quote else {
            throw unexpected(at: i, expected: first ? "a string key or '}'" : "a string key")
        }
    }

    /// After a member's value ending before `i`: the start of the next key and
    /// true after a ',', or the position past the closing '}' and false.
    @inline(__always)
    private func afterMember(at start: Int) throws(MalformedReason) -> (next: Int, more: Bool) {
        let i = skipWhitespace(start)
        guard i < count else { throw unexpected(at: i, expected: "',' or '}'") }
        let c = byte(i)
        if c == ASCII.comma { return (skipWhitespace(i &+ 1), true) }
        guard c == ASCII.closeBrace else { throw unexpected(at: i, expected: "',' or '}'") }
        return (i &+ 1, false)
    }
}
