/// The reasons the scanner gives for bad JSON. They are built only once a
/// line is known to be bad, out of line (`@inline(never)`), so the wording can
/// be careful without weighing on the hot path.
extension LineScanner {
    /// The byte at `i` is not what the grammar wants there.
    @inline(never)
    func unexpected(at i: Int, expected: String) -> MalformedReason {
        if i >= count {
            return MalformedReason(
                .unexpectedEnd, column: i + 1, message: "unexpected end of line, expected \(expected)")
        }
        if byte(i) >= 0x80 && utf8SequenceLength(at: i) == 0 { return invalidUTF8(at: i) }
        return MalformedReason(
            .unexpectedCharacter, column: i + 1,
            message: "expected \(expected), found \(describeCharacter(at: i))")
    }

    @inline(never)
    func notAnObject(at i: Int) -> MalformedReason {
        if byte(i) >= 0x80 && utf8SequenceLength(at: i) == 0 { return invalidUTF8(at: i) }
        let found: String
        switch byte(i) {
        case ASCII.openBracket: found = "an array"
        case ASCII.quote: found = "a string"
        case ASCII.minus, ASCII.zero...ASCII.nine: found = "a number"
        default: found = describeCharacter(at: i)
        }
        return MalformedReason(
            .notAnObject, column: i + 1, message: "expected a JSON object ('{'), found \(found)")
    }

    @inline(never)
    func trailingGarbage(at i: Int) -> MalformedReason {
        MalformedReason(
            .trailingGarbage, column: i + 1,
            message: "unexpected \(describeCharacter(at: i)) after the end of the object")
    }

    @inline(never)
    func unterminatedString(open: Int) -> MalformedReason {
        MalformedReason(
            .unexpectedEnd, column: open + 1,
            message: "unterminated string: the line ends before its closing quote")
    }

    @inline(never)
    func unfinishedEscape(at i: Int) -> MalformedReason {
        MalformedReason(
            .unexpectedEnd, column: i + 1, message: "unterminated string: the line ends inside an escape")
    }

    @inline(never)
    func invalidEscape(at i: Int) -> MalformedReason {
        let letter = byte(i + 1)
        if letter == ASCII.lowerU {
            var digits = ""
            var k = i + 2
            while k < count && k < i + 6 {
                if ASCII.hexValue(byte(k)) == nil {
                    digits += ", found \(describeCharacter(at: k))"
                    break
                }
                k += 1
            }
            return MalformedReason(
                .invalidEscape, column: i + 1,
                message: "invalid \\u escape in string: expected 4 hex digits\(digits)")
        }
        return MalformedReason(
            .invalidEscape, column: i + 1,
            message: "invalid escape '\\\(characterText(at: i + 1))' in string"
                + " (allowed: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)")
    }

    @inline(never)
    func controlCharacter(at i: Int) -> MalformedReason {
        MalformedReason(
            .controlCharacterInString, column: i + 1,
            message: "raw control character \(hex(byte(i))) in string (JSON requires it escaped)")
    }

    @inline(never)
    func numberError(at i: Int, expected: String) -> MalformedReason {
        if i >= count || (byte(i) >= 0x80 && utf8SequenceLength(at: i) == 0) {
            return unexpected(at: i, expected: expected)
        }
        return MalformedReason(
            .invalidNumber, column: i + 1,
            message: "invalid number: expected \(expected), found \(describeCharacter(at: i))")
    }

    @inline(never)
    func leadingZero(at start: Int) -> MalformedReason {
        MalformedReason(
            .invalidNumber, column: start + 1,
            message: "invalid number: leading zero (JSON numbers cannot start with 0 followed by a digit)")
    }

    @inline(never)
    func badLiteral(at i: Int, start: Int) -> MalformedReason {
        let literal: String
        switch byte(start) {
        case ASCII.lowerT: literal = "true"
        case ASCII.lowerF: literal = "false"
        default: literal = "null"
        }
        return unexpected(at: i, expected: "'\(literal)'")
    }

    /// Names what is wrong with the bytes at `i`, where a UTF-8 sequence
    /// (lead byte 0x80 or more) was expected and `utf8SequenceLength` said no.
    @inline(never)
    func invalidUTF8(at i: Int) -> MalformedReason {
        let lead = byte(i)
        let need: Int
        switch lead {
        case 0x80...0xBF:
            return utf8Problem(at: i, "unexpected continuation byte \(hex(lead))")
        case 0xC0, 0xC1:
            return utf8Problem(at: i, "overlong encoding (lead byte \(hex(lead)))")
        case 0xF5...0xFF:
            return utf8Problem(at: i, "byte \(hex(lead)) never appears in UTF-8")
        case 0xC2...0xDF: need = 1
        case 0xE0...0xEF: need = 2
        default: need = 3
        }
        for k in 1...need {
            guard i + k < count else {
                return utf8Problem(at: i, "UTF-8 sequence starting with \(hex(lead)) is cut short by the end of line")
            }
            let next = byte(i + k)
            guard ASCII.isContinuation(next) else {
                return utf8Problem(
                    at: i, "UTF-8 sequence starting with \(hex(lead)) is cut short by byte \(hex(next))")
            }
        }
        let second = byte(i + 1)
        switch (lead, second) {
        case (0xE0, ..<0xA0), (0xF0, ..<0x90):
            return utf8Problem(at: i, "overlong encoding (\(hex(lead)) \(hex(second)))")
        case (0xED, 0xA0...):
            return utf8Problem(at: i, "UTF-8-encoded surrogate (\(hex(lead)) \(hex(second)))")
        case (0xF4, 0x90...):
            return utf8Problem(at: i, "code point above U+10FFFF (\(hex(lead)) \(hex(second)))")
        default:
            return utf8Problem(at: i, "malformed UTF-8 sequence starting with \(hex(lead))")
        }
    }

    private func utf8Problem(at i: Int, _ what: String) -> MalformedReason {
        MalformedReason(.invalidUTF8, column: i + 1, message: "invalid UTF-8: \(what)")
    }

    /// The byte or character at `i` as a user should read it in a message.
    func describeCharacter(at i: Int) -> String {
        guard i < count else { return "end of line" }
        let c = byte(i)
        switch c {
        case 0x21...0x7E: return "'\(characterText(at: i))'"
        case ASCII.space: return "a space"
        case ASCII.tab: return "a tab"
        case ASCII.lineFeed, ASCII.carriageReturn: return "a line break (\(hex(c)))"
        case ..<0x20, 0x7F: return "control character \(hex(c))"
        default:
            let length = utf8SequenceLength(at: i)
            guard length > 0 else { return "byte \(hex(c)) (invalid UTF-8)" }
            var scalar = UInt32(c) & (0xFF >> (length + 1))
            for k in 1..<length { scalar = scalar << 6 | UInt32(byte(i + k) & 0x3F) }
            let digits = String(scalar, radix: 16, uppercase: true)
            let name = "character U+\(String(repeating: "0", count: max(0, 4 - digits.count)))\(digits)"
            // A byte-order mark is the one such character users meet by accident.
            return scalar == 0xFEFF ? name + " (a byte-order mark)" : name
        }
    }

    private func characterText(at i: Int) -> String {
        guard i < count else { return "" }
        let c = byte(i)
        return (0x21...0x7E).contains(c) ? String(UnicodeScalar(c)) : hex(c)
    }

    func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return byte < 0x10 ? "0x0\(digits)" : "0x\(digits)"
    }
}
