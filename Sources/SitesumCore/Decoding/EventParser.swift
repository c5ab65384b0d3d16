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
                guard i < count && byte(i) == ASCII.quote else {
                    throw unexpected(at: i, expected: first ? "a string key or '}'" : "a string key")
                }
                first = false
                let (key, afterKey) = try readString(open: i, keep: false)
                i = try skipColon(afterKey)
                switch EventKey(key) {
                case .id: (fields.id, i) = try readFieldValue(at: i)
                case .type: (fields.type, i) = try readFieldValue(at: i)
                case .from: (fields.from, i) = try readFieldValue(at: i)
                case .siteID: (fields.site, i) = try readFieldValue(at: i)
                case .timestamp: (fields.timestamp, i) = try readFieldValue(at: i)
                case .data: i = try readData(at: i, into: &fields)
                case .other: i = try skipValue(at: i)
                }
                i = skipWhitespace(i)
                guard i < count else { throw unexpected(at: i, expected: "',' or '}'") }
                let c = byte(i)
                if c == ASCII.comma {
                    i = skipWhitespace(i &+ 1)
                    continue
                }
                guard c == ASCII.closeBrace else { throw unexpected(at: i, expected: "',' or '}'") }
                i &+= 1
                break
            }
        }
        i = skipWhitespace(i)
        guard i == count else { throw trailingGarbage(at: i) }
        return try fields.event()
    }

    /// Reads the value of a field the schema keeps: strings decoded, numbers
    /// and literals as their text, containers validated and skipped.
    @inline(__always)
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
            guard i < count && byte(i) == ASCII.quote else {
                throw unexpected(at: i, expected: first ? "a string key or '}'" : "a string key")
            }
            first = false
            let (key, afterKey) = try readString(open: i, keep: false)
            i = try skipColon(afterKey)
            if EventKey.isStatus(key) {
                (fields.status, i) = try readFieldValue(at: i)
            } else {
                i = try skipValue(at: i)
            }
            i = skipWhitespace(i)
            guard i < count else { throw unexpected(at: i, expected: "',' or '}'") }
            let c = byte(i)
            if c == ASCII.comma {
                i = skipWhitespace(i &+ 1)
                continue
            }
            guard c == ASCII.closeBrace else { throw unexpected(at: i, expected: "',' or '}'") }
            return i &+ 1
        }
    }
}
