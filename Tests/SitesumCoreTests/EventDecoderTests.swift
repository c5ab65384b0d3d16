import Testing
@testable import SitesumCore

// MARK: - Helpers shared by the EventDecoder*Tests files

/// A decoded event with its views copied out, so it outlives the line.
struct DecodedEvent: Equatable, CustomStringConvertible {
    var kind: EventKind
    var timestamp: Int64
    var id: [UInt8]
    var from: [UInt8]
    var site: [UInt8]

    init(kind: EventKind, timestamp: Int64, id: [UInt8], from: [UInt8], site: [UInt8]) {
        (self.kind, self.timestamp, self.id, self.from, self.site) = (kind, timestamp, id, from, site)
    }

    init(kind: EventKind = .message, timestamp: Int64 = 4301, id: String = "abc", from: String = "visitor1", site: String = "1") {
        self.init(kind: kind, timestamp: timestamp, id: Array(id.utf8), from: Array(from.utf8), site: Array(site.utf8))
    }

    var description: String {
        "\(kind) t=\(timestamp) id=\(id) from=\(from) site=\(site)"
    }
}

/// What `decode` said about a line, comparable in tests.
enum Outcome: Equatable {
    case blank
    case event(DecodedEvent)
    case malformed(MalformedReason)

    var reason: MalformedReason? {
        if case .malformed(let reason) = self { return reason }
        return nil
    }

    var event: DecodedEvent? {
        if case .event(let event) = self { return event }
        return nil
    }
}

func decode(_ bytes: [UInt8], with decoder: inout EventDecoder) -> Outcome {
    bytes.withUnsafeBytes { line in
        switch decoder.decode(line) {
        case .blank:
            return .blank
        case .event(let e):
            return .event(DecodedEvent(kind: e.kind, timestamp: e.timestamp, id: Array(e.id), from: Array(e.from), site: Array(e.site)))
        case .malformed(let reason):
            return .malformed(reason)
        }
    }
}

func decode(_ bytes: [UInt8]) -> Outcome {
    var decoder = EventDecoder()
    return decode(bytes, with: &decoder)
}

func decode(_ line: String) -> Outcome { decode(Array(line.utf8)) }

/// Expects `line` to be a valid event and returns it.
@discardableResult
func expectEvent(_ line: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> DecodedEvent? {
    let outcome = decode(line)
    guard let event = outcome.event else {
        Issue.record("expected an event from \(render(line)), got \(outcome)", sourceLocation: sourceLocation)
        return nil
    }
    return event
}

@discardableResult
func expectEvent(_ line: String, sourceLocation: SourceLocation = #_sourceLocation) -> DecodedEvent? {
    expectEvent(Array(line.utf8), sourceLocation: sourceLocation)
}

/// Expects `line` to decode to exactly `expected`.
func expectEvent(_ line: String, _ expected: DecodedEvent, sourceLocation: SourceLocation = #_sourceLocation) {
    if let event = expectEvent(line, sourceLocation: sourceLocation) {
        #expect(event == expected, "line: \(line)", sourceLocation: sourceLocation)
    }
}

/// Expects `line` to be malformed with `kind` (and `field`, when given);
/// returns the reason.
@discardableResult
func expectMalformed(
    _ line: [UInt8], _ kind: MalformedReason.Kind? = nil, field: MalformedReason.Field? = nil,
    column: Int? = nil, sourceLocation: SourceLocation = #_sourceLocation
) -> MalformedReason? {
    let outcome = decode(line)
    guard let reason = outcome.reason else {
        Issue.record("expected \(render(line)) to be malformed, got \(outcome)", sourceLocation: sourceLocation)
        return nil
    }
    if let kind {
        #expect(reason.kind == kind, "line: \(render(line)), reason: \(reason)", sourceLocation: sourceLocation)
    }
    if let field {
        #expect(reason.field == field, "line: \(render(line)), reason: \(reason)", sourceLocation: sourceLocation)
    }
    if let column {
        #expect(reason.column == column, "line: \(render(line)), reason: \(reason)", sourceLocation: sourceLocation)
    }
    return reason
}

@discardableResult
func expectMalformed(
    _ line: String, _ kind: MalformedReason.Kind? = nil, field: MalformedReason.Field? = nil,
    column: Int? = nil, sourceLocation: SourceLocation = #_sourceLocation
) -> MalformedReason? {
    expectMalformed(Array(line.utf8), kind, field: field, column: column, sourceLocation: sourceLocation)
}

/// A line for readable failure messages (invalid UTF-8 shown as \xNN).
func render(_ bytes: [UInt8]) -> String {
    let text = bytes.count > 300 ? Array(bytes[..<300]) : bytes
    var result = ""
    for b in text {
        if b >= 0x20 && b < 0x7F { result.unicodeScalars.append(UnicodeScalar(b)) } else { result += "\\x\(String(b, radix: 16))" }
    }
    return bytes.count > 300 ? result + "...(\(bytes.count) bytes)" : result
}

/// An event line built from raw JSON texts for each field; nil leaves the
/// field out. The defaults make a valid message event.
func line(
    id: String? = #""abc""#, type: String? = #""message""#, from: String? = #""visitor1""#,
    site: String? = #""1""#, timestamp: String? = "4301", data: String? = #"{"message":"hi"}"#
) -> String {
    var members: [String] = []
    if let id { members.append(#""id":"# + id) }
    if let type { members.append(#""type":"# + type) }
    if let from { members.append(#""from":"# + from) }
    if let site { members.append(#""site_id":"# + site) }
    if let timestamp { members.append(#""timestamp":"# + timestamp) }
    if let data { members.append(#""data":"# + data) }
    return "{" + members.joined(separator: ",") + "}"
}

/// A valid status line with the given `data` text.
func statusLine(data: String?) -> String {
    line(type: #""status""#, from: #""operator1""#, data: data)
}

let sampleMessage = #"{"id":"7f360d94-ecae-4d8e-a26a-e11cea7bde2b","type":"message","from":"visitor5","site_id":"1","timestamp":4301,"data":{"message":"sorting than been"}}"#
let sampleStatus = #"{"id":"f0d6ebe9-4830-415b-a826-a6ef47ebb649","type":"status","from":"operator1","site_id":"1","timestamp":5630,"data":{"status":"online"}}"#

// MARK: - General behaviour

@Suite struct EventDecoderTests {
    @Test func decodesTheSpecSampleLines() {
        expectEvent(sampleMessage, DecodedEvent(
            kind: .message, timestamp: 4301, id: "7f360d94-ecae-4d8e-a26a-e11cea7bde2b", from: "visitor5", site: "1"))
        expectEvent(sampleStatus, DecodedEvent(
            kind: .online, timestamp: 5630, id: "f0d6ebe9-4830-415b-a826-a6ef47ebb649", from: "operator1", site: "1"))
        expectEvent(
            #"{"id":"7fc42a2e-d9e9-454e-b1fa-6b48c530ef5d","type":"status","from":"operator2","site_id":"1","timestamp":533,"data":{"status":"offline"}}"#,
            DecodedEvent(kind: .offline, timestamp: 533, id: "7fc42a2e-d9e9-454e-b1fa-6b48c530ef5d", from: "operator2", site: "1"))
    }

    @Test(arguments: ["", " ", "\t", "\r", "  \t \r", "\r\r", "\n", " \n\t\r "])
    func whitespaceOnlyLinesAreBlank(_ text: String) {
        #expect(decode(text) == .blank)
    }

    @Test func lineWithNilBaseAddressIsBlank() {
        var decoder = EventDecoder()
        guard case .blank = decoder.decode(UnsafeRawBufferPointer(start: nil, count: 0)) else {
            Issue.record("expected blank")
            return
        }
    }

    @Test(arguments: [[0x0C], [0x20, 0x0C], [0xC2, 0xA0], [0x0B], [0x00], [0xEF, 0xBB, 0xBF]] as [[UInt8]])
    func otherWhitespaceLikeBytesAreMalformed(_ bytes: [UInt8]) {
        expectMalformed(bytes)
    }

    /// The line reader drops a byte-order mark at the start of the file; one
    /// that reaches the decoder is bad, and the reason names it.
    @Test func byteOrderMarkBeforeAnObjectIsMalformed() {
        let reason = expectMalformed([0xEF, 0xBB, 0xBF] + Array(sampleMessage.utf8), .notAnObject, column: 1)
        #expect(reason?.message.contains("byte-order mark") == true)
    }

    @Test func formFeedAroundAnObjectIsMalformed() {
        expectMalformed("\u{0C}" + sampleMessage, .notAnObject, column: 1)
        expectMalformed(sampleMessage + "\u{0C}", .trailingGarbage, column: sampleMessage.utf8.count + 1)
        expectMalformed(#"{"id":"a",\#u{0C}"type":"message"}"#, .unexpectedCharacter, column: 11)
    }

    @Test(arguments: [
        #"["id","abc"]"#, #""abc""#, "42", "-1", "true", "false", "null", "[]", #"[{"id":"abc"}]"#, "x", "}",
    ])
    func topLevelValuesOtherThanObjectsAreMalformed(_ text: String) {
        expectMalformed(text, .notAnObject, column: 1)
    }

    @Test func viewsPointIntoTheLineWhenThereAreNoEscapes() {
        let bytes = Array(sampleMessage.utf8)
        var decoder = EventDecoder()
        bytes.withUnsafeBytes { line in
            guard case .event(let event) = decoder.decode(line) else {
                Issue.record("expected an event")
                return
            }
            let lineRange = UInt(bitPattern: line.baseAddress!)..<UInt(bitPattern: line.baseAddress! + line.count)
            for view in [event.id, event.from, event.site] {
                #expect(lineRange.contains(UInt(bitPattern: view.baseAddress!)))
            }
            #expect(Array(event.id) == Array("7f360d94-ecae-4d8e-a26a-e11cea7bde2b".utf8))
            #expect(Array(event.from) == Array("visitor5".utf8))
            #expect(Array(event.site) == Array("1".utf8))
            // Offsets in the line, to be sure the views are the field values themselves.
            #expect(event.id.baseAddress! - line.baseAddress! == 7)
        }
    }

    @Test func viewsHoldDecodedBytesWhenThereAreEscapes() {
        let text = line(id: #""a\u0062c""#, from: #""visitor\u0031""#, site: #""s\/1""#)
        let bytes = Array(text.utf8)
        var decoder = EventDecoder()
        bytes.withUnsafeBytes { line in
            guard case .event(let event) = decoder.decode(line) else {
                Issue.record("expected an event")
                return
            }
            #expect(Array(event.id) == Array("abc".utf8))
            #expect(Array(event.from) == Array("visitor1".utf8))
            #expect(Array(event.site) == Array("s/1".utf8))
            let lineRange = UInt(bitPattern: line.baseAddress!)..<UInt(bitPattern: line.baseAddress! + line.count)
            #expect(!lineRange.contains(UInt(bitPattern: event.id.baseAddress!)))
        }
    }

    @Test func integerSiteViewIsTheDigitsInTheLine() {
        let outcome = decode(line(site: "-0"))
        #expect(outcome.event?.site == Array("0".utf8))
        #expect(decode(line(site: "-12")).event?.site == Array("-12".utf8))
    }

    /// One decoder over many lines: escaped strings from one line must not
    /// leak into the next, and scratch growth for a long line must not break
    /// later lines.
    @Test func oneDecoderDecodesManyLinesInARow() {
        var decoder = EventDecoder()
        var cases: [(String, Outcome)] = []
        for n in 0..<300 {
            let escapedID = String(repeating: #"\u0041"#, count: n % 17 + 1) + "-\(n)"
            let plainID = String(repeating: "A", count: n % 17 + 1) + "-\(n)"
            let longFrom = n % 50 == 7 ? String(repeating: #"x\t"#, count: 5000) : "visitor\\u003\(n % 10)"
            let decodedFrom = n % 50 == 7 ? String(repeating: "x\t", count: 5000) : "visitor\(n % 10)"
            switch n % 4 {
            case 0:
                cases.append((
                    line(id: "\"\(escapedID)\"", from: "\"\(longFrom)\"", site: "\(n)", timestamp: "\(n * 7)"),
                    .event(DecodedEvent(kind: .message, timestamp: Int64(n * 7), id: plainID, from: decodedFrom, site: "\(n)"))))
            case 1:
                cases.append((
                    line(id: "\"\(plainID)\"", type: #""status""#, from: "\"\(longFrom)\"", site: #""s\u00e9""#, timestamp: "-\(n)",
                         data: #"{"st\u0061tus":"offline"}"#),
                    .event(DecodedEvent(kind: .offline, timestamp: Int64(-n), id: plainID, from: decodedFrom, site: "sé"))))
            case 2:
                cases.append(("  \r", .blank))
            default:
                let text = line(id: "\"\(escapedID)\"", from: "\"\(longFrom)\"", timestamp: "1.5")
                cases.append((text, decode(text)))
                #expect(decode(text).reason?.kind == .notAnInteger)
            }
        }
        for _ in 0..<2 {
            for (text, expected) in cases {
                let outcome = decode(Array(text.utf8), with: &decoder)
                #expect(outcome == expected, "line: \(text.prefix(200))")
            }
        }
    }

    @Test func copiesOfADecoderDoNotDisturbEachOther() {
        var first = EventDecoder()
        let a = Array(line(id: #""\u0041first""#).utf8)
        let b = Array(line(id: #""\u0042second""#).utf8)
        a.withUnsafeBytes { lineA in
            guard case .event(let eventA) = first.decode(lineA) else {
                Issue.record("expected an event")
                return
            }
            var second = first
            b.withUnsafeBytes { lineB in
                guard case .event(let eventB) = second.decode(lineB) else {
                    Issue.record("expected an event")
                    return
                }
                #expect(Array(eventB.id) == Array("Bsecond".utf8))
            }
            #expect(Array(eventA.id) == Array("Afirst".utf8))
        }
    }

    @Test func reasonDescriptionStartsWithTheColumn() {
        let reason = expectMalformed(#"{"id":"abc","type":"message","from":"v","site_id":"1","timestamp":"4301"}"#)
        #expect(reason?.description == #"column 67: field "timestamp" must be an integer, found the string "4301""#)
        let missing = expectMalformed(line(timestamp: nil))
        #expect(missing?.description == #"missing field "timestamp""#)
        #expect(missing?.column == 0)
    }

    @Test func reasonsFromOutsideTheDecoderKeepTheirWords() {
        let reason = MalformedReason(column: 3, message: "line too long")
        #expect(reason.kind == .other)
        #expect(reason.description == "column 3: line too long")
    }
}
