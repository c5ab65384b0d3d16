/// The ways the generator breaks a line on purpose. Each makes the line
/// malformed under SPEC.md whatever else the line's style does; the
/// generator cycles through them in order so that every kind shows up even
/// at low malformed rates.
enum Defect: CaseIterable {
    /// A proper prefix of a valid line (the object is never closed).
    case truncated
    /// Non-whitespace after the closing brace.
    case trailingGarbage
    /// An invalid UTF-8 sequence inside a string.
    case invalidUTF8
    /// A raw control character inside a string.
    case controlCharacter
    /// A required member left out.
    case missingField
    /// A required member holding the wrong JSON type.
    case wrongType
    /// A `type` other than "message" or "status".
    case unknownType
    /// A status event whose status is neither "online" nor "offline".
    case unknownStatus
    /// `"id":""`.
    case emptyID
    /// `"timestamp":0123`.
    case leadingZero
    /// `"timestamp":4301.5`, `4301.0`, `4301e0` ...
    case fraction
    /// A timestamp outside signed 64-bit range.
    case outOfRange
    /// Not JSON: a trailing comma, a missing colon or comma, a bare or
    /// single-quoted key.
    case brokenSyntax

    /// Defects that only make sense on a status event.
    var needsStatus: Bool { self == .unknownStatus }
}
