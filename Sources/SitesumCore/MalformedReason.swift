/// Why a line is not a valid event. `description` is the text sitesum prints
/// after "line N (byte B): ".
///
/// `kind` and `field` are there so callers and tests can tell problems apart
/// without parsing the wording, which is free to improve.
public struct MalformedReason: Error, Equatable, Sendable, CustomStringConvertible {
    /// The kinds of problem that make a line malformed.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// The line holds a JSON value other than an object (or starts with a
        /// byte that cannot begin one).
        case notAnObject
        /// The line ends in the middle of the object: a string, number,
        /// literal, escape or container is left open.
        case unexpectedEnd
        /// A byte the JSON grammar does not allow where it appears (a missing
        /// ':' or ',', a bad literal, a stray character between tokens).
        case unexpectedCharacter
        /// Something other than whitespace follows the object.
        case trailingGarbage
        /// Bytes that are not well-formed UTF-8: stray continuation bytes,
        /// overlong forms, encoded surrogates, code points above U+10FFFF,
        /// sequences cut short.
        case invalidUTF8
        /// A raw byte below 0x20 inside a string (JSON requires it escaped).
        case controlCharacterInString
        /// A backslash escape JSON does not define, or a `\u` without four hex digits.
        case invalidEscape
        /// A number JSON does not allow: a leading zero, a missing digit after
        /// '-', '.', or the exponent marker.
        case invalidNumber
        /// A required field is absent (`column` is 0).
        case missingField
        /// A field holds the wrong JSON type (a number for `id`, `null` for `from`...).
        case wrongType
        /// `site_id` or `timestamp` is a number with a fraction or exponent.
        case notAnInteger
        /// `id` is the empty string.
        case emptyID
        /// `type` is a string other than "message" or "status".
        case unknownType
        /// `data.status` of a status event is a string other than "online" or "offline".
        case unknownStatus
        /// `timestamp` is an integer outside the signed 64-bit range.
        case timestampOutOfRange
        /// A reason raised outside the event decoder, through `init(column:message:)`.
        case other
    }

    /// The event fields a reason can be about. `status` is the `status` key
    /// inside `data`.
    public enum Field: String, Sendable, Equatable, CaseIterable {
        case id
        case type
        case from
        case siteID = "site_id"
        case timestamp
        case data
        case status
    }

    /// What went wrong.
    public var kind: Kind
    /// 1-based byte column in the line where the problem was found, or 0 when
    /// the problem is about the object as a whole (a missing field, say).
    public var column: Int
    /// The field the problem is about, when it is about one.
    public var field: Field?
    /// What is wrong, in words, without the column.
    public var message: String

    public init(_ kind: Kind, column: Int, field: Field? = nil, message: String) {
        self.kind = kind
        self.column = column
        self.field = field
        self.message = message
    }

    /// A reason that does not come from the decoder; its kind is `.other`.
    public init(column: Int, message: String) {
        self.init(.other, column: column, message: message)
    }

    public var description: String {
        column > 0 ? "column \(column): \(message)" : message
    }
}
