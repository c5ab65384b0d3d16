/// The JSON type of a value, as far as the schema cares.
enum JSONType {
    case string, integer, nonIntegerNumber, object, array, boolean, null
}

/// Where a field's last value sits in the line and what it is. `text` holds
/// the decoded bytes of a string, or the source text of a number or literal.
struct FieldValue {
    /// Offset of the value's first byte; -1 while the key has not appeared.
    var position = -1
    var type = JSONType.null
    var text = UnsafeRawBufferPointer(start: nil, count: 0)

    var isPresent: Bool { position >= 0 }
    var column: Int { position + 1 }
}

/// What a line said about each field the schema reads. A repeated key counts
/// by its last occurrence, so the values are only judged once the object has
/// ended (`event()`); until then a later occurrence simply overwrites.
struct EventFields {
    var id = FieldValue()
    var type = FieldValue()
    var from = FieldValue()
    var site = FieldValue()
    var timestamp = FieldValue()
    /// The last `data`; `status` is the last `status` key inside that `data`
    /// (reset whenever `data` repeats).
    var data = FieldValue()
    var status = FieldValue()

    /// The event the fields make, or the first problem in schema order
    /// (id, type, from, site_id, timestamp, data).
    @inline(__always)
    func event() throws(MalformedReason) -> RawEvent {
        guard id.type == .string, id.text.count > 0,
              type.type == .string, from.type == .string,
              site.type == .string || site.type == .integer,
              timestamp.type == .integer, let time = Self.int64(timestamp.text)
        else { throw firstProblem() }

        let kind: EventKind
        switch EventType(type.text) {
        case .message:
            kind = .message
        case .status:
            guard data.type == .object, status.type == .string,
                  let statusKind = OperatorStatus.kind(status.text)
            else { throw firstProblem() }
            kind = statusKind
        case .unknown:
            throw firstProblem()
        }
        return RawEvent(kind: kind, timestamp: time, id: id.text, from: from.text, site: siteText())
    }

    /// An integer `site_id` means its text as written, except that `-0` is `0`.
    private func siteText() -> UnsafeRawBufferPointer {
        if site.type == .integer && site.text.count == 2 && site.text[0] == ASCII.minus && site.text[1] == ASCII.zero {
            return UnsafeRawBufferPointer(rebasing: site.text[1...])
        }
        return site.text
    }

    /// The value of a JSON integer's text if it fits in Int64. The scanner has
    /// validated the text, so it is '-'? digits with no leading zero.
    @inline(__always)
    static func int64(_ text: UnsafeRawBufferPointer) -> Int64? {
        let negative = text[0] == ASCII.minus
        let first = negative ? 1 : 0
        // Without leading zeros, more than 19 digits is beyond 2^63 for sure;
        // 19 digits always fit in a UInt64.
        guard text.count - first <= 19 else { return nil }
        var magnitude: UInt64 = 0
        for k in first..<text.count {
            magnitude = magnitude &* 10 &+ UInt64(text[k] &- ASCII.zero)
        }
        return int64(magnitude: magnitude, negative: negative)
    }

    /// The Int64 of a sign and a magnitude, if it is in range (down to
    /// -2^63, up to 2^63 - 1).
    @inline(__always)
    static func int64(magnitude: UInt64, negative: Bool) -> Int64? {
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return Int64(truncatingIfNeeded: 0 &- magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }

    @inline(never)
    private func firstProblem() -> MalformedReason {
        if let problem = problem(with: id, .id, expected: "a non-empty string") { return problem }
        if id.text.count == 0 {
            return MalformedReason(.emptyID, column: id.column, field: .id, message: "field \"id\" is an empty string")
        }
        if let problem = problem(with: type, .type, expected: "\"message\" or \"status\"") { return problem }
        let eventType = EventType(type.text)
        if eventType == .unknown {
            return MalformedReason(
                .unknownType, column: type.column, field: .type,
                message: "field \"type\" must be \"message\" or \"status\", found \(Self.quoted(type.text))")
        }
        if let problem = problem(with: from, .from, expected: "a string") { return problem }
        if let problem = problem(
            with: site, .siteID, expected: "a string or an integer", integerAllowed: true)
        {
            return problem
        }
        if let problem = problem(
            with: timestamp, .timestamp, expected: "an integer", integerAllowed: true, stringAllowed: false)
        {
            return problem
        }
        if Self.int64(timestamp.text) == nil {
            return MalformedReason(
                .timestampOutOfRange, column: timestamp.column, field: .timestamp,
                message: "field \"timestamp\" is \(Self.shortened(timestamp.text)), outside the signed 64-bit range"
                    + " (-9223372036854775808...9223372036854775807)")
        }
        // Only a status event gets here.
        guard data.isPresent else {
            return MalformedReason(
                .missingField, column: 0, field: .data, message: "missing field \"data\" (a status event needs it)")
        }
        guard data.type == .object else {
            return MalformedReason(
                .wrongType, column: data.column, field: .data,
                message: "field \"data\" must be an object for a status event, found \(Self.describe(data))")
        }
        guard status.isPresent else {
            return MalformedReason(
                .missingField, column: 0, field: .status,
                message: "missing field \"status\" in \"data\" (a status event needs it)")
        }
        guard status.type == .string else {
            return MalformedReason(
                .wrongType, column: status.column, field: .status,
                message: "field \"status\" in \"data\" must be \"online\" or \"offline\", found \(Self.describe(status))")
        }
        return MalformedReason(
            .unknownStatus, column: status.column, field: .status,
            message: "field \"status\" in \"data\" must be \"online\" or \"offline\", found \(Self.quoted(status.text))")
    }

    /// The problem with a field that must be a string (or, with
    /// `integerAllowed`, an integer) — missing, or of another type — if any.
    private func problem(
        with value: FieldValue, _ field: MalformedReason.Field, expected: String,
        integerAllowed: Bool = false, stringAllowed: Bool = true
    ) -> MalformedReason? {
        let name = "\"\(field.rawValue)\""
        guard value.isPresent else {
            return MalformedReason(.missingField, column: 0, field: field, message: "missing field \(name)")
        }
        switch value.type {
        case .string where stringAllowed, .integer where integerAllowed:
            return nil
        case .nonIntegerNumber where integerAllowed:
            return MalformedReason(
                .notAnInteger, column: value.column, field: field,
                message: "field \(name) must be \(expected), found the non-integer number \(Self.shortened(value.text))")
        default:
            return MalformedReason(
                .wrongType, column: value.column, field: field,
                message: "field \(name) must be \(expected), found \(Self.describe(value))")
        }
    }

    private static func describe(_ value: FieldValue) -> String {
        switch value.type {
        case .string: return "the string \(quoted(value.text))"
        case .integer, .nonIntegerNumber: return "the number \(shortened(value.text))"
        case .object: return "an object"
        case .array: return "an array"
        case .boolean, .null: return String(decoding: value.text, as: UTF8.self)
        }
    }

    /// A user's string, quoted and cut short, for a message: control
    /// characters and quotes escaped so the message stays one clean line.
    static func quoted(_ bytes: UnsafeRawBufferPointer) -> String {
        let limit = 40
        var result = "\""
        var shown = 0
        for scalar in String(decoding: bytes, as: UTF8.self).unicodeScalars {
            if shown == limit {
                result += "..."
                break
            }
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let digits = String(scalar.value, radix: 16, uppercase: true)
                result += "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
            default: result.unicodeScalars.append(scalar)
            }
            shown += 1
        }
        return result + "\""
    }

    /// Number text (ASCII) cut short, for a message.
    static func shortened(_ text: UnsafeRawBufferPointer) -> String {
        let limit = 40
        if text.count <= limit { return String(decoding: text, as: UTF8.self) }
        return String(decoding: UnsafeRawBufferPointer(rebasing: text[..<limit]), as: UTF8.self)
            + "... (\(text.count) characters)"
    }
}
