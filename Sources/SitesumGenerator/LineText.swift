/// Fixed texts the renderer splices into lines: unknown members, decoys,
/// wrong-typed values, bad timestamps, garbage. Kept in one place so the
/// renderer reads as structure and the catalogue of oddities reads as data.
enum LineText {
    /// Unknown members a producer might add. Several hide sitesum's own key
    /// names inside nested values or strings, which must not be mistaken for
    /// top-level members.
    static let extraMembers: [StaticString] = [
        #""meta":{"agent":"widget/2.1","timestamp":"soon","site_id":null,"tags":["a","b",{"id":""}]}"#,
        #""v":2"#,
        #""trace":[1,-2.5e3,true,false,null,{"data":{"status":"away"}},[],{}]"#,
        #""note":"he said \"hi\" \\ {not} [json], \"id\":\"x\",\"type\":\"status\"""#,
        #""ip":"10.0.0.1""#,
        #""retry":{"count":0,"of":3,"last":[],"next":{"at":-12,"x":0.5E-3}}"#,
        #""big":123456789012345678901234567890"#,
        #""Type":"status""#,
        #""":"""#,
        #""ids":["7b4a5786-3574-4806-9988-25d109c284b8"]"#,
    ]

    /// Unknown members that are not valid JSON (trailing commas), for
    /// `BrokenSyntax.nestedTrailingComma`.
    static let brokenMembers: [StaticString] = [
        #""tags":["a","b",]"#,
        #""meta":{"agent":"widget",}"#,
        #""trace":[[1,2],]"#,
    ]

    /// Decoy values, written under a field's key before its real member.
    /// Each would change the outcome if it were the occurrence that counted.
    static func decoys(for field: Field, isStatus: Bool) -> [StaticString] {
        switch field {
        case .id: [#""""#, #""decoy""#, "null"]
        case .type: [#""typing""#, isStatus ? #""message""# : #""status""#]
        case .from: [#""visitor0""#, "null", #""operator0""#]
        case .site: [#""0""#, "true", "99999"]
        case .timestamp: [#""later""#, "-1", "1.5"]
        case .data: isStatus ? [#"{"status":"away"}"#, "null"] : ["null", #"{"status":"online"}"#]
        }
    }

    /// Values of the wrong JSON type for a field (`Defect.wrongType`).
    /// `site_id` accepts integers, so its wrong values are everything else;
    /// a message's `data` accepts anything, so it has no wrong values.
    static func wrongTypes(for field: Field) -> [StaticString] {
        switch field {
        case .id: ["123", "null", #"["x"]"#, "true", #"{"id":"x"}"#]
        case .type: ["1", "null", #"["message"]"#, "false"]
        case .from: ["7", "null", #"{"name":"visitor1"}"#, "false", "[]"]
        case .site: ["true", "null", "1.5", "[1]", #"{"id":"1"}"#, "1e2", "-3.0"]
        case .timestamp: ["null", "true", "[4301]", #"{"t":1}"#]  // plus the quoted number, written separately
        case .data: [#""online""#, "null", #"["online"]"#, #"{"state":"online"}"#, #"{"status":true}"#, #"{"status":null}"#, "1"]
        }
    }

    /// `type` values that are neither "message" nor "status".
    static let unknownTypes: [StaticString] = ["chat", "Message", "", "status ", "messages", "typing", "STATUS"]

    /// `status` values that are neither "online" nor "offline".
    static let unknownStatuses: [StaticString] = ["away", "Online", "", "busy", "ONLINE", "on line", "offline\\n"]

    /// What follows the digits of a timestamp to make it a non-integer.
    static let fractionSuffixes: [StaticString] = [".5", ".0", "e0", "E2", ".25e1", "e-1", ".000"]

    /// Integers just or far outside signed 64-bit range.
    static let outOfRangeTimestamps: [StaticString] = [
        "9223372036854775808", "-9223372036854775809", "18446744073709551615",
        "18446744073709551616", "99999999999999999999999", "-100000000000000000000",
    ]

    /// Non-whitespace that can follow a complete object.
    static let trailingGarbage: [StaticString] = ["x", "}", ",", "{}", "]", "\"", "0", #"{"id":""#, "//", " null", ";"]

    /// Invalid UTF-8: a stray continuation byte, bytes never used, a lead
    /// byte without its continuation, an overlong form, an encoded surrogate,
    /// a code point above U+10FFFF.
    static let invalidUTF8: [[UInt8]] = [
        [0xFF], [0x80], [0xC3, 0x28], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xFE], [0xE2, 0x82],
    ]

    /// Raw control characters (never LF, which would end the line).
    static let controlCharacters: [UInt8] = [0x00, 0x01, 0x09, 0x0D, 0x1B, 0x1F]

    /// `data` values of a message on `oddMessageData` lines; all valid,
    /// since a message's data may be anything. `nil` means no data member.
    static let oddMessageData: [StaticString?] = [
        nil, "null", #""hello""#, #"[1,"two",{"three":3}]"#, "{}", #"{"status":"offline"}"#, "42",
    ]
}
