import Testing
@testable import SitesumCore

/// The JSON grammar around the fields: whitespace, unknown values, nesting,
/// UTF-8, control characters, truncation and trailing garbage.
@Suite struct EventDecoderSyntaxTests {
    // MARK: whitespace

    @Test func whitespaceBetweenEveryToken() {
        let ws = " \t\r "
        let text = ws + "{" + ws + #""id""# + ws + ":" + ws + #""abc""# + ws + "," + ws + #""type""# + ws + ":" + ws
            + #""status""# + ws + "," + ws + #""from""# + ws + ":" + ws + #""operator1""# + ws + "," + ws
            + #""site_id""# + ws + ":" + ws + "1" + ws + "," + ws + #""timestamp""# + ws + ":" + ws + "-7" + ws + ","
            + ws + #""data""# + ws + ":" + ws + "{" + ws + #""status""# + ws + ":" + ws + #""online""# + ws + "}" + ws
            + "," + ws + #""x""# + ws + ":" + ws + "[" + ws + "1" + ws + "," + ws + "{" + ws + "}" + ws + "," + ws + "["
            + ws + "]" + ws + "]" + ws + "}" + ws
        expectEvent(text, DecodedEvent(kind: .online, timestamp: -7, from: "operator1"))
    }

    @Test func carriageReturnAndTabsAtTheEnds() {
        expectEvent(sampleMessage + "\r")
        expectEvent("\t" + sampleMessage + "\t\r")
        expectEvent(sampleMessage + "   ")
    }

    @Test func lineFeedIsJSONWhitespaceToo() {
        expectEvent(#"{"id":"abc",\#n"type":"message","from":"visitor1","site_id":"1","timestamp":4301}"#, DecodedEvent())
    }

    @Test func whitespaceInsideStringsIsKept() {
        expectEvent(line(from: #"" a \tb ""#), DecodedEvent(from: " a \tb "))
    }

    // MARK: unknown keys

    @Test(arguments: [
        "0", "-0", "1", "-1", "-1.5e+10", "1E-2", "0.5", "-0.0e0", "123456789012345678901234567890.5e999", "1e+0",
        "true", "false", "null", #""""#, #""text""#, #""\u00e9\n""#, "[]", "{}", "[[]]", "[{}]", #"{"":{}}"#,
        #"[1,-2.5,"s",true,false,null,[],{},{"a":[{"b":{"c":[null]}}]}]"#, #"{"a":1,"b":[2,3],"c":{"d":"e"},"a":null}"#,
        #"{"id":1,"type":2,"data":{"status":3}}"#, " [ 1 , 2 ] ", #"{ "a" : { } }"#,
    ])
    func unknownKeysMayHoldAnyValue(_ value: String) {
        expectEvent(#"{"unknown":"# + value + "," + line().dropFirst(), DecodedEvent())
        expectEvent(String(line().dropLast()) + #","zz":"# + value + "}", DecodedEvent())
        expectEvent(line(data: #"{"message":"hi","x":"# + value + "}"), DecodedEvent())
        expectEvent(statusLine(data: #"{"x":"# + value + #","status":"online"}"#), DecodedEvent(kind: .online, from: "operator1"))
    }

    @Test(arguments: [
        "[1,]", "[,1]", "[1 2]", "[", "]", "{", #"{"a":1,}"#, #"{"a"}"#, #"{"a" 1}"#, #"{a:1}"#, "{'a':1}", "'s'",
        #"{"a":1 "b":2}"#, "[1,,2]", "tru", "True", "nul", "NULL", "falsey", "fals", "+1", ".5", "1.", "1e", "1e+", "-",
        "--1", "01", "-01", "00", "0.", "NaN", "Infinity", "0x1F", "1_000", "[}", "{]", #"{"a":1]"#, "[1}", "",
        #"{"a":1}}"#, "[1]]", #"{,"a":1}"#, #"{"a"::1}"#, "/* c */1", "undefined",
    ])
    func unknownValuesMustBeValidJSON(_ value: String) {
        expectMalformed(#"{"unknown":"# + value + "," + line().dropFirst())
    }

    @Test func reasonsForBadJSONAreSpecific() {
        #expect(expectMalformed(#"{"id" "abc"}"#, .unexpectedCharacter, column: 7)?.message == "expected ':' after an object key, found '\"'")
        #expect(expectMalformed(#"{"id":"abc" "type":1}"#, .unexpectedCharacter, column: 13)?.message == "expected ',' or '}', found '\"'")
        expectMalformed(#"{"x":[1 2]}"#, .unexpectedCharacter, column: 9)
        expectMalformed(#"{"x":tru}"#, .unexpectedCharacter, column: 9)
        expectMalformed(#"{"x":-}"#, .invalidNumber, column: 7)
        expectMalformed(#"{"x":1.}"#, .invalidNumber, column: 8)
        expectMalformed(#"{"x":1e}"#, .invalidNumber, column: 8)
        expectMalformed(#"{"x":01}"#, .invalidNumber, column: 6)
        expectMalformed(#"{id:"abc"}"#, .unexpectedCharacter, column: 2)
        expectMalformed(#"{"id":"abc",}"#, .unexpectedCharacter, column: 13)
        expectMalformed(#"{"id":}"#, .unexpectedCharacter, column: 7)
    }

    // MARK: trailing garbage

    @Test(arguments: ["x", "{}", ",", "}", "]", "0", #""""#, " x", "\r x", "\u{0C}", "\u{00A0}", "//", "\0"])
    func trailingGarbageIsMalformed(_ tail: String) {
        expectMalformed(sampleMessage + tail, .trailingGarbage)
    }

    @Test func trailingGarbageColumn() {
        expectMalformed(sampleMessage + "  x", .trailingGarbage, column: sampleMessage.utf8.count + 3)
        expectMalformed(sampleMessage + sampleMessage, .trailingGarbage, column: sampleMessage.utf8.count + 1)
    }

    // MARK: truncation

    @Test(arguments: [
        sampleMessage, sampleStatus,
        #"{"id":"\u0061\ud83d\ude00","type":"message","from":"v\u00e9","site_id":-0,"timestamp":-12,"data":{"message":"h\"i"}}"#,
        #"{"id":"é😀€","type":"status","from":"op","site_id":"1","timestamp":0,"x":[true,false,null,{"a":[]},-1.5e+10],"data":{"status":"offline"}}"#,
        " { \"id\" : \"abc\" , \"type\" : \"message\" , \"from\" : \"\" , \"site_id\" : 12 , \"timestamp\" : 1 } ",
    ])
    func everyPrefixOfAValidLineIsMalformed(_ text: String) {
        let bytes = Array(text.utf8)
        expectEvent(bytes)
        let significant = bytes.lastIndex { $0 != 0x20 }! + 1
        for length in 1..<significant {
            let prefix = Array(bytes[..<length])
            let outcome = decode(prefix)
            if prefix.allSatisfy({ $0 == 0x20 }) {
                #expect(outcome == .blank)
                continue
            }
            guard let reason = outcome.reason else {
                Issue.record("prefix of \(length) bytes \(render(prefix)) gave \(outcome)")
                continue
            }
            // A prefix is cut mid-value, mid-character at worst; nothing else can be wrong with it.
            #expect(reason.kind == .unexpectedEnd || reason.kind == .invalidUTF8, "\(render(prefix)): \(reason)")
        }
    }

    @Test func truncatedLineReasonSaysSo() {
        let reason = expectMalformed(#"{"id":"abc","type":"mes"#, .unexpectedEnd, column: 20)
        #expect(reason?.message == "unterminated string: the line ends before its closing quote")
        #expect(expectMalformed(#"{"id":"abc""#, .unexpectedEnd, column: 12)?.message == "unexpected end of line, expected ',' or '}'")
    }

    // MARK: UTF-8

    /// A line whose `from` string holds `bytes`.
    func lineWithFrom(_ bytes: [UInt8]) -> [UInt8] {
        Array(#"{"id":"abc","type":"message","from":""#.utf8) + bytes
            + Array(#"","site_id":"1","timestamp":4301}"#.utf8)
    }

    @Test(arguments: [
        [0xC3, 0xA9], [0xE2, 0x82, 0xAC], [0xF0, 0x9F, 0x98, 0x80], [0xF4, 0x8F, 0xBF, 0xBF], [0xEF, 0xBF, 0xBF],
        [0xED, 0x9F, 0xBF], [0xEE, 0x80, 0x80], [0xC2, 0x80], [0xDF, 0xBF], [0xE0, 0xA0, 0x80], [0xF0, 0x90, 0x80, 0x80],
        [0x7F], [0x41, 0xC3, 0xA9, 0x41, 0xF0, 0x9F, 0x98, 0x80, 0x41],
    ] as [[UInt8]])
    func wellFormedUTF8IsKept(_ bytes: [UInt8]) {
        #expect(expectEvent(lineWithFrom(bytes))?.from == bytes)
    }

    @Test(arguments: [
        [0x80], [0xBF], [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xE0, 0x9F, 0xBF], [0xED, 0xA0, 0x80],
        [0xED, 0xBF, 0xBF], [0xF0, 0x80, 0x80, 0x80], [0xF0, 0x8F, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80],
        [0xF5, 0x80, 0x80, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xFE], [0xFF], [0xC3], [0xC3, 0x41], [0xE2, 0x82],
        [0xE2, 0x41, 0x41], [0xF0, 0x9F, 0x98], [0xF0, 0x9F, 0x98, 0x41], [0x41, 0xC3, 0xA9, 0xA9],
    ] as [[UInt8]])
    func invalidUTF8InAStringIsMalformed(_ bytes: [UInt8]) {
        expectMalformed(lineWithFrom(bytes), .invalidUTF8)
        // Also in ignored strings and in keys.
        expectMalformed(Array(#"{"x":""#.utf8) + bytes + Array(#"","# .utf8) + Array(line().utf8.dropFirst()), .invalidUTF8)
        expectMalformed(Array(#"{""#.utf8) + bytes + Array(#"":1,"# .utf8) + Array(line().utf8.dropFirst()), .invalidUTF8)
    }

    @Test func invalidUTF8IsFoundInsideARunOfCharacters() {
        expectMalformed(lineWithFrom([0xC3, 0xA9, 0xC3, 0xA9, 0xFF, 0xC3, 0xA9]), .invalidUTF8, column: 42)
        expectMalformed(lineWithFrom([0xE2, 0x82, 0xAC, 0xED, 0xA0, 0x80]), .invalidUTF8, column: 41)
        let run = [UInt8](repeating: 0, count: 40).flatMap { _ in [0xD0, 0x9F] as [UInt8] }
        #expect(expectEvent(lineWithFrom(run + [0x20] + run))?.from == run + [0x20] + run)
    }

    @Test func invalidUTF8ReasonsAreSpecific() {
        #expect(expectMalformed(lineWithFrom([0xC0, 0x80]), .invalidUTF8, column: 38)?.message.contains("overlong") == true)
        #expect(expectMalformed(lineWithFrom([0xED, 0xA0, 0x80]), .invalidUTF8)?.message.contains("surrogate") == true)
        #expect(expectMalformed(lineWithFrom([0xF4, 0x90, 0x80, 0x80]), .invalidUTF8)?.message.contains("U+10FFFF") == true)
        #expect(expectMalformed(lineWithFrom([0x80]), .invalidUTF8)?.message.contains("continuation") == true)
    }

    @Test func invalidUTF8OutsideStringsIsMalformed() {
        expectMalformed([0xFF], .invalidUTF8, column: 1)
        expectMalformed([0x20, 0xC3], .invalidUTF8, column: 2)
        expectMalformed(Array(#"{"id":"abc","#.utf8) + [0xC0, 0x80] + Array(#""type":"message"}"#.utf8), .invalidUTF8, column: 13)
        expectMalformed(Array(#"{"x":"#.utf8) + [0xE9] + Array(#"}"#.utf8), .invalidUTF8, column: 6)
        expectMalformed(Array(#"{"x":[1,"#.utf8) + [0xED, 0xA0, 0x80] + Array(#"]}"#.utf8), .invalidUTF8, column: 9)
        expectMalformed(Array(sampleMessage.utf8) + [0xFF])
        // Well-formed but not JSON outside strings.
        expectMalformed(Array(#"{"id":"abc","#.utf8) + [0xC2, 0xA0] + Array(#""type":"message"}"#.utf8), .unexpectedCharacter, column: 13)
    }

    @Test func truncatedUTF8AtTheEndOfTheLine() {
        expectMalformed(Array(#"{"id":"#.utf8) + [0x22, 0xC3], .invalidUTF8, column: 8)
        expectMalformed(Array(#"{"id":"#.utf8) + [0x22, 0xF0, 0x9F, 0x98], .invalidUTF8, column: 8)
        expectMalformed(Array(sampleMessage.utf8) + [0xE2, 0x82], .trailingGarbage)
    }

    // MARK: control characters

    @Test(arguments: Array(0x00..<0x20) as [UInt8])
    func rawControlCharacterInAStringIsMalformed(_ control: UInt8) {
        expectMalformed(lineWithFrom([0x61, control, 0x62]), .controlCharacterInString, column: 39)
        expectMalformed(Array(#"{"x":"#.utf8) + [0x22, control, 0x22] + Array(",".utf8) + Array(line().utf8.dropFirst()), .controlCharacterInString)
    }

    @Test func deleteIsNotAControlCharacterForJSON() {
        #expect(expectEvent(lineWithFrom([0x7F]))?.from == [0x7F])
    }

    // MARK: the word-at-a-time scan

    /// Puts a special byte at every offset of strings of many lengths, so each
    /// lane of the 8-byte scan and the byte-by-byte tail see every case.
    @Test func everyPositionInAStringIsScannedCorrectly() {
        for length in 1...24 {
            for k in 0..<length {
                var plain = [UInt8](repeating: 0x61, count: length)

                plain[k] = 0x01
                expectMalformed(lineWithFrom(plain), .controlCharacterInString, column: 38 + k)

                plain[k] = 0x80
                expectMalformed(lineWithFrom(plain), .invalidUTF8, column: 38 + k)

                var escaped = [UInt8](repeating: 0x61, count: length)
                escaped.replaceSubrange(k...k, with: Array(#"\n"#.utf8))
                var expected = [UInt8](repeating: 0x61, count: length)
                expected[k] = 0x0A
                #expect(expectEvent(lineWithFrom(escaped))?.from == expected)

                var accented = [UInt8](repeating: 0x61, count: length)
                accented.replaceSubrange(k...k, with: [0xC3, 0xA9])
                #expect(expectEvent(lineWithFrom(accented))?.from == accented)

                // The closing quote at every offset: the string ends there.
                let id = [UInt8](repeating: 0x62, count: k + 1)
                let text = Array(#"{"id":""#.utf8) + id + Array(#"","type":"message","from":"v","site_id":"1","timestamp":1}"#.utf8)
                #expect(expectEvent(text)?.id == id)
            }
        }
    }

    /// Schema keys and values are recognised straight from the line when
    /// 8 bytes can be loaded after their quote; near the end of the line
    /// they take the general way, which must agree.
    @Test func schemaWordsNearTheEndOfTheLine() {
        expectMalformed(#"{"type":"message","from":"v","site_id":"1","timestamp":1,"id":7}"#, .wrongType, field: .id)
        expectMalformed(#"{"type":"message","from":"v","site_id":"1","timestamp":1,"id":""}"#, .emptyID)
        expectEvent(#"{"type":"message","from":"v","site_id":"1","timestamp":1,"id":"a"}"#, DecodedEvent(timestamp: 1, id: "a", from: "v"))
        expectEvent(#"{"id":"a","from":"v","site_id":"1","timestamp":1,"type":"status","data":{"status":"online"}}"#, DecodedEvent(kind: .online, timestamp: 1, id: "a", from: "v"))
        expectEvent(#"{"id":"a","from":"v","site_id":"1","timestamp":1,"data":{"status":"online"},"type":"status"}"#, DecodedEvent(kind: .online, timestamp: 1, id: "a", from: "v"))
        expectEvent(#"{"id":"a","from":"v","timestamp":1,"type":"message","site_id":2}"#, DecodedEvent(timestamp: 1, id: "a", from: "v", site: "2"))
        expectEvent(#"{"id":"a","from":"v","site_id":2,"type":"message","timestamp":1}"#, DecodedEvent(timestamp: 1, id: "a", from: "v", site: "2"))
        expectMalformed(#"{"id":"a","from":"v","site_id":2,"type":"message","timestamp":1.5}"#, .notAnInteger)
        expectMalformed(#"{"id":"a","from":"v","site_id":2,"type":"message","timestamp":"#, .unexpectedEnd)
        expectMalformed(#"{"id":"a","from":"v","site_id":2,"timestamp":1,"type":"statu"#, .unexpectedEnd)
        expectMalformed(#"{"id":"a","from":"v","site_id":2,"timestamp":1,"type":"status"#, .unexpectedEnd)
        expectMalformed(#"{"id":"a","from":"v","site_id":2,"timestamp":1,"type":"status""#, .unexpectedEnd)
        expectMalformed(#"{"id":"a","from":"v","site_id":2,"timestamp":1,"type":"message""#, .unexpectedEnd)
        expectMalformed(#"{"id":"a","from":"v","site_id":2,"timestamp":1,"type":"status","data":{"status":"online""#, .unexpectedEnd)
        expectMalformed(#"{"id":"a","from":"v","site_id":2,"timestamp":1,"type":"status","data":{"status":"onl"#, .unexpectedEnd)
        expectMalformed(#"{"id":"a","from":"v","site_id":2,"timestamp":1,"type":"status","data":{"status""#, .unexpectedEnd)
    }

    /// Words that share the first bytes of a schema word are not it.
    @Test func schemaWordLookalikes() {
        for key in ["types", "typ", "froms", "datas", "dat", "site_ids", "site_i", "timestamps", "timestam", "idx", "i"] {
            let text = #"{""# + key + #"":1,"# + line().dropFirst()
            expectEvent(text, DecodedEvent())
        }
        for value in ["messages", "messag", "message ", "statuss", "statu", "Status"] {
            expectMalformed(line(type: "\"\(value)\""), .unknownType)
        }
        for value in ["onlines", "onlin", "offlines", "offlin", "message", "status"] {
            expectMalformed(statusLine(data: #"{"status":""# + value + #""}"#), .unknownStatus)
        }
        expectMalformed(statusLine(data: #"{"statuses":"online"}"#), .missingField, field: .status)
        expectMalformed(statusLine(data: #"{"messages":1}"#), .missingField, field: .status)
        expectEvent(line(data: #"{"messages":1,"message":2,"messag":3}"#), DecodedEvent())
    }

    @Test func stringsRightAtTheEndOfTheLine() {
        // The last string ends within the final 8 bytes, so the tail loop finds its quote.
        expectEvent(#"{"type":"message","from":"v","site_id":"1","timestamp":1,"id":"a"}"#, DecodedEvent(timestamp: 1, id: "a", from: "v"))
        expectEvent(#"{"type":"message","from":"v","site_id":"1","timestamp":1,"id":"abcdefghijklmnop"}"#)
        expectMalformed(#"{"type":"message","id":"abcdefghijklmnop"#, .unexpectedEnd)
    }

    // MARK: nesting

    @Test func deepNestingInAnUnknownKeyIsFine() {
        let depth = 100_000
        let arrays = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        expectEvent(#"{"deep":"# + arrays + "," + line().dropFirst(), DecodedEvent())
        let objects = String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)
        expectEvent(#"{"deep":"# + objects + "," + line().dropFirst(), DecodedEvent())
        expectEvent(line(data: arrays), DecodedEvent())
        expectEvent(statusLine(data: #"{"deep":"# + objects + #","status":"online"}"#), DecodedEvent(kind: .online, from: "operator1"))
    }

    @Test func unbalancedDeepNestingIsMalformed() {
        let depth = 100_000
        let open = String(repeating: "[", count: depth)
        expectMalformed(#"{"deep":"# + open + "," + line().dropFirst(), .unexpectedCharacter)
        expectMalformed(#"{"deep":"# + open, .unexpectedEnd)
        expectMalformed(#"{"deep":"# + open + String(repeating: "]", count: depth - 1) + "}", .unexpectedCharacter)
        expectMalformed(#"{"deep":"# + open + String(repeating: "]", count: depth + 1) + "}", .unexpectedCharacter)
        let objects = String(repeating: #"{"a":"#, count: depth) + "1"
        expectMalformed(#"{"deep":"# + objects, .unexpectedEnd)
        expectMalformed(#"{"deep":"# + objects + String(repeating: "}", count: depth - 1) + "]}", .unexpectedCharacter)
    }

    /// Mixed objects and arrays, deeper than the 64 levels kept in a register:
    /// every closer must match its own opener.
    @Test func mixedNestingIsMatchedAtEveryDepth() {
        for depth in [1, 2, 63, 64, 65, 127, 128, 129, 200, 5000] {
            var openers = ""
            var closers = ""
            for level in 0..<depth {
                let isObject = (level * 7 + level / 3) % 3 == 0
                openers += isObject ? #"{"k":"# : "[0,"
                closers = (isObject ? "}" : "]") + closers
            }
            let value = openers + "null" + closers
            expectEvent(#"{"deep":"# + value + "," + line().dropFirst(), DecodedEvent())
            // Swap each kind of closer at one depth at a time (a few of them).
            for flip in Set([0, depth / 2, depth - 1]) {
                var wrong = Array(closers)
                wrong[flip] = wrong[flip] == "}" ? "]" : "}"
                expectMalformed(#"{"deep":"# + openers + "null" + String(wrong) + "," + line().dropFirst(), .unexpectedCharacter)
            }
        }
    }
}
