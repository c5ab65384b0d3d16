import Testing
@testable import SitesumCore

/// String escapes: decoded before comparing or keeping, validated everywhere.
@Suite struct EventDecoderEscapeTests {
    /// The bytes `from` decodes to when its JSON text is `text`.
    func decodedFrom(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> [UInt8]? {
        expectEvent(line(from: "\"" + text + "\""), sourceLocation: sourceLocation)?.from
    }

    @Test func eachSimpleEscape() {
        #expect(decodedFrom(#"\""#) == [0x22])
        #expect(decodedFrom(#"\\"#) == [0x5C])
        #expect(decodedFrom(#"\/"#) == [0x2F])
        #expect(decodedFrom(#"\b"#) == [0x08])
        #expect(decodedFrom(#"\f"#) == [0x0C])
        #expect(decodedFrom(#"\n"#) == [0x0A])
        #expect(decodedFrom(#"\r"#) == [0x0D])
        #expect(decodedFrom(#"\t"#) == [0x09])
        #expect(decodedFrom(#"a\"b\\c\/d\be\ff\ng\rh\ti"#) == Array("a\"b\\c/d\u{08}e\u{0C}f\ng\rh\ti".utf8))
    }

    @Test func unicodeEscapesInAnyHexCase() {
        #expect(decodedFrom(#"\u0041"#) == [0x41])
        #expect(decodedFrom(#"\u00e9"#) == [0xC3, 0xA9])
        #expect(decodedFrom(#"\u00E9"#) == [0xC3, 0xA9])
        #expect(decodedFrom(#"\u00dF"#) == Array("ß".utf8))
        #expect(decodedFrom(#"\u20AC\u20ac"#) == Array("€€".utf8))
        #expect(decodedFrom(#"\uFFFF"#) == [0xEF, 0xBF, 0xBF])
        #expect(decodedFrom(#"\u0000"#) == [0x00])
        #expect(decodedFrom(#"\u007F\u0080\u07FF\u0800"#) == [0x7F, 0xC2, 0x80, 0xDF, 0xBF, 0xE0, 0xA0, 0x80])
    }

    @Test func surrogatePairDecodesToOneCharacter() {
        #expect(decodedFrom(#"\ud83d\ude00"#) == [0xF0, 0x9F, 0x98, 0x80])
        #expect(decodedFrom(#"\uD83D\uDE00"#) == Array("😀".utf8))
        #expect(decodedFrom(#"\uDBFF\uDFFF"#) == [0xF4, 0x8F, 0xBF, 0xBF])
        #expect(decodedFrom(#"\uD800\uDC00"#) == [0xF0, 0x90, 0x80, 0x80])
        #expect(decodedFrom(#"x\ud83d\ude00y"#) == Array("x😀y".utf8))
    }

    @Test func loneSurrogatesBecomeGeneralizedUTF8() {
        #expect(decodedFrom(#"\ud800"#) == [0xED, 0xA0, 0x80])
        #expect(decodedFrom(#"\udc00"#) == [0xED, 0xB0, 0x80])
        #expect(decodedFrom(#"\uDFFF"#) == [0xED, 0xBF, 0xBF])
        #expect(decodedFrom(#"\ud800x"#) == [0xED, 0xA0, 0x80, 0x78])
        #expect(decodedFrom(#"\ud800\u0041"#) == [0xED, 0xA0, 0x80, 0x41])
        #expect(decodedFrom(#"\ud800\n"#) == [0xED, 0xA0, 0x80, 0x0A])
        // A high surrogate, then a proper pair.
        #expect(decodedFrom(#"\ud800\ud83d\ude00"#) == [0xED, 0xA0, 0x80, 0xF0, 0x9F, 0x98, 0x80])
        // Low then high is two lone surrogates, not a pair.
        #expect(decodedFrom(#"\ude00\ud83d"#) == [0xED, 0xB8, 0x80, 0xED, 0xA0, 0xBD])
        // Distinct lone surrogates stay distinct.
        #expect(decodedFrom(#"\ud800"#) != decodedFrom(#"\ud801"#))
    }

    @Test func escapedAndRawSpellingsAreEqual() {
        #expect(decodedFrom(#"\u00e9t\u00e9"#) == decodedFrom("été"))
        #expect(decodedFrom(#"\ud83d\ude00"#) == decodedFrom("😀"))
        #expect(decodedFrom(#"visitor\u0031"#) == Array("visitor1".utf8))
    }

    @Test func escapesInIDFromAndSite() {
        expectEvent(
            line(id: #""\u0061\u0062c""#, from: #""visitor\u0031""#, site: #""\u0031""#),
            DecodedEvent(id: "abc", from: "visitor1", site: "1"))
        expectEvent(line(id: #""\"quoted\"""#), DecodedEvent(id: "\"quoted\""))
        expectEvent(line(site: #""a\/b\\c""#), DecodedEvent(site: "a/b\\c"))
    }

    @Test func escapedKeyNames() {
        let text = #"{"\u0069d":"abc","typ\u0065":"status","\u0066rom":"operator1","site\u005fid":"1","\u0074imestamp":4301,"d\u0061ta":{"st\u0061tus":"online"}}"#
        expectEvent(text, DecodedEvent(kind: .online, from: "operator1"))
        expectEvent(#"{"\u0069\u0064":"abc","type":"message","from":"visitor1","site_id":"1","timestamp":4301}"#, DecodedEvent())
        // An escaped key still has to match exactly.
        expectMalformed(#"{"\u0049d":"abc","type":"message","from":"v","site_id":"1","timestamp":1}"#, .missingField, field: .id)
        expectMalformed(#"{"id\u0020":"abc","type":"message","from":"v","site_id":"1","timestamp":1}"#, .missingField, field: .id)
    }

    @Test func escapedSchemaValues() {
        expectEvent(line(type: #""mess\u0061ge""#), DecodedEvent())
        expectEvent(statusLine(data: #"{"status":"\u006fnline"}"#), DecodedEvent(kind: .online, from: "operator1"))
        expectEvent(statusLine(data: #"{"status":"offlin\u0065"}"#), DecodedEvent(kind: .offline, from: "operator1"))
        expectMalformed(statusLine(data: #"{"status":"online\u0000"}"#), .unknownStatus)
    }

    @Test func longStringsWithEscapesBetweenLongRuns() {
        let raw = String(repeating: "abcdefghijklmnopqrstuvwxyz", count: 3)
        let text = raw + #"\n"# + raw + #"\u00e9"# + raw + #"\t"#
        #expect(decodedFrom(text) == Array((raw + "\n" + raw + "é" + raw + "\t").utf8))
    }

    @Test(arguments: [
        #"\x"#, #"\a"#, #"\0"#, #"\U0041"#, #"\u12"#, #"\u123"#, #"\u12G4"#, #"\uXYZW"#, #"\u 123"#,
        #"\'"#, "\\\u{00E9}", #"\ud800\u"#, #"\ud800\uZZZZ"#,
    ])
    func badEscapesAreMalformed(_ text: String) {
        expectMalformed(line(from: "\"" + text + "\""), .invalidEscape)
    }

    @Test func badEscapeReasonPointsAtTheBackslash() {
        let reason = expectMalformed(#"{"id":"ab\x"}"#, .invalidEscape, column: 10)
        #expect(reason?.message.contains(#"'\x'"#) == true)
        expectMalformed(#"{"id":"\u12G4"}"#, .invalidEscape, column: 8)
    }

    @Test func escapesAreValidatedInIgnoredStringsAndKeys() {
        expectMalformed(line(data: #"{"message":"bad \q escape"}"#), .invalidEscape)
        expectMalformed(#"{"unknown":["\u00g0"],"# + line().dropFirst(), .invalidEscape)
        expectMalformed(#"{"bad\key":1,"# + line().dropFirst(), .invalidEscape)
        expectMalformed(statusLine(data: #"{"x\y":1,"status":"online"}"#), .invalidEscape)
        expectEvent(#"{"unknown":["\u00e9\"\\\/\b\f\n\r\t\ud83d\ude00\udc00"],"# + line().dropFirst(), DecodedEvent())
    }

    @Test func lineEndingInsideAnEscapeIsMalformed() {
        expectMalformed(#"{"id":"ab\"#, .unexpectedEnd)
        expectMalformed(#"{"id":"ab\u"#, .unexpectedEnd)
        expectMalformed(#"{"id":"ab\u00"#, .unexpectedEnd)
        expectMalformed(#"{"id":"ab\u00e9"#, .unexpectedEnd)
        expectMalformed(#"{"x":"ab\u00"#, .unexpectedEnd)
    }

    @Test func escapedQuoteDoesNotEndTheString() {
        expectEvent(line(from: #""a\"b""#), DecodedEvent(from: "a\"b"))
        expectEvent(line(from: #""a\\""#), DecodedEvent(from: "a\\"))
        expectMalformed(#"{"id":"a\"}"#, .unexpectedEnd)
    }
}
