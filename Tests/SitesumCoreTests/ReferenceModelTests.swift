import Foundation
import SitesumCore
import Testing

/// The reference model against the known answer and hand-built cases, one
/// per rule of SPEC.md, plus the JSONSerialization behaviours it relies on.
/// Every hand-built case also goes through the engine, which must agree.
@Suite struct ReferenceModelTests {
    /// The reference model's summary, after checking that the engine gives the same.
    static func agreed(_ input: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> String {
        let reference = ReferenceModel.summary(of: input)
        let engine = InMemoryRun.summary(of: input)
        #expect(engine == reference, "the engine disagrees with the reference", sourceLocation: sourceLocation)
        return reference
    }

    // MARK: - Known answer

    /// `shared/reference/small_input`, found by walking up from this file;
    /// nil when this checkout has no such file.
    static let smallInput: [UInt8]? = {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            for candidate in ["shared/reference/small_input", "reference/small_input"] {
                let url = directory.appendingPathComponent(candidate)
                if let data = try? Data(contentsOf: url) { return Array(data) }
            }
            directory.deleteLastPathComponent()
        }
        return nil
    }()

    @Test(.enabled(if: smallInput != nil, "shared/reference/small_input not found"))
    func smallInputGivesTheKnownAnswer() throws {
        let input = try #require(Self.smallInput)
        #expect(Self.agreed(input) == "1,messages=4,emails=4,operators=2,visitors=5\n")
    }

    // MARK: - Semantics

    @Test func outOfOrderInputIsAppliedInTimeOrder() {
        // In file order the first message would be an email; in time order
        // the operator is already online.
        let input = lines(
            message("a", site: "1", from: "visitor1", at: 20),
            status("b", site: "1", from: "operator1", at: 10, online: true),
            message("c", site: "1", from: "visitor2", at: 5))
        #expect(Self.agreed(input) == "1,messages=1,emails=1,operators=1,visitors=2\n")
    }

    @Test func statusAppliesBeforeMessageAtTheSameTimestamp() {
        let input = lines(
            message("a", site: "1", from: "visitor1", at: 10),
            status("b", site: "1", from: "operator1", at: 10, online: true))
        #expect(Self.agreed(input) == "1,messages=1,emails=0,operators=1,visitors=1\n")
    }

    @Test func laterStatusInTheFileWinsAtTheSameTimestamp() {
        let onlineThenOffline = lines(
            status("a", site: "1", from: "operator1", at: 10, online: true),
            status("b", site: "1", from: "operator1", at: 10, online: false),
            message("c", site: "1", from: "visitor1", at: 10))
        #expect(Self.agreed(onlineThenOffline) == "1,messages=0,emails=1,operators=1,visitors=1\n")
        let offlineThenOnline = lines(
            status("a", site: "1", from: "operator1", at: 10, online: false),
            status("b", site: "1", from: "operator1", at: 10, online: true),
            message("c", site: "1", from: "visitor1", at: 10))
        #expect(Self.agreed(offlineThenOnline) == "1,messages=1,emails=0,operators=1,visitors=1\n")
    }

    @Test func anyOnlineOperatorMakesTheSiteOnline() {
        let input = lines(
            status("a", site: "1", from: "operator1", at: 1, online: true),
            status("b", site: "1", from: "operator2", at: 2, online: false),
            message("c", site: "1", from: "visitor1", at: 3),
            status("d", site: "1", from: "operator1", at: 4, online: false),
            message("e", site: "1", from: "visitor1", at: 5))
        #expect(Self.agreed(input) == "1,messages=1,emails=1,operators=2,visitors=1\n")
    }

    @Test func firstValidOccurrenceOfAnIDWinsAndLaterOnesAreIgnoredEntirely() {
        let input = lines(
            message("x", site: "1", from: "visitor1", at: 5),
            // Same id: another site, visitor, type — all ignored.
            message("x", site: "2", from: "visitor9", at: 6),
            status("x", site: "1", from: "operator7", at: 1, online: true),
            message("x", site: "1", from: "visitor2", at: 7))
        #expect(Self.agreed(input) == "1,messages=0,emails=1,operators=0,visitors=1\n")
    }

    @Test func malformedLinesNeverClaimAnID() {
        let input = lines(
            #"{"id":"x","type":"message","from":"visitor1","site_id":"1","timestamp":0123,"data":{}}"#,
            message("x", site: "1", from: "visitor2", at: 5))
        let verdicts = ReferenceModel.verdicts(of: input)
        #expect(verdicts.count == 2)
        if case .malformed = verdicts[0] {} else { Issue.record("expected malformed, got \(verdicts[0])") }
        #expect(Self.agreed(input) == "1,messages=0,emails=1,operators=0,visitors=1\n")
    }

    @Test func siteWithOnlyStatusEventsAppears() {
        let input = lines(status("a", site: "7", from: "operator1", at: 1, online: true))
        #expect(Self.agreed(input) == "7,messages=0,emails=0,operators=1,visitors=0\n")
    }

    @Test func siteWithOnlyMessagesIsAllEmails() {
        let input = lines(
            message("a", site: "3", from: "visitor1", at: 1),
            message("b", site: "3", from: "visitor1", at: 2))
        #expect(Self.agreed(input) == "3,messages=0,emails=2,operators=0,visitors=1\n")
    }

    @Test func integerAndStringSiteIDsAreTheSameSite() {
        let input = lines(
            #"{"id":"a","type":"status","from":"operator1","site_id":1,"timestamp":1,"data":{"status":"online"}}"#,
            message("b", site: "1", from: "visitor1", at: 2),
            #"{"id":"c","type":"message","from":"visitor2","site_id":-0,"timestamp":2}"#)
        #expect(Self.agreed(input)
            == "0,messages=0,emails=1,operators=0,visitors=1\n1,messages=1,emails=0,operators=1,visitors=1\n")
    }

    @Test func sitesSortBytewise() {
        let input = lines(
            message("a", site: "9", from: "visitor1", at: 1),
            message("b", site: "10", from: "visitor1", at: 1),
            message("c", site: "é", from: "visitor1", at: 1),
            message("d", site: "Z", from: "visitor1", at: 1))
        #expect(Self.agreed(input) == """
            10,messages=0,emails=1,operators=0,visitors=1
            9,messages=0,emails=1,operators=0,visitors=1
            Z,messages=0,emails=1,operators=0,visitors=1
            é,messages=0,emails=1,operators=0,visitors=1

            """)
    }

    @Test func offlineWithoutOnlineAndOnlineTwiceAreHarmless() {
        let input = lines(
            status("a", site: "1", from: "operator1", at: 1, online: false),
            message("b", site: "1", from: "visitor1", at: 2),
            status("c", site: "1", from: "operator1", at: 3, online: true),
            status("d", site: "1", from: "operator1", at: 4, online: true),
            message("e", site: "1", from: "visitor1", at: 5),
            status("f", site: "1", from: "operator1", at: 6, online: false),
            message("g", site: "1", from: "visitor2", at: 7))
        #expect(Self.agreed(input) == "1,messages=1,emails=2,operators=1,visitors=2\n")
    }

    @Test func stringsAreComparedAfterDecodingEscapesAndBytewise() {
        let input = lines(
            message("a", site: "1", from: #"visitor\u0031"#, at: 1),
            message("b", site: "1", from: "visitor1", at: 2),
            // Precomposed and decomposed é: equal as Swift Strings, not as bytes.
            message("c", site: "1", from: "caf\u{E9}", at: 3),
            message("d", site: "1", from: "cafe\u{301}", at: 4))
        #expect(Self.agreed(input) == "1,messages=0,emails=4,operators=0,visitors=3\n")
    }

    @Test func emptyInputGivesEmptyOutput() {
        #expect(Self.agreed([]) == "")
        #expect(Self.agreed(Array("\n \n\t\r\n".utf8)) == "")
    }

    // MARK: - Lines

    @Test func lineSplitting() {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let input = bom + Array("a\r\nb\n\nc\rd\ne".utf8)
        #expect(ReferenceModel.lines(of: input).map { String(decoding: $0, as: UTF8.self) }
            == ["a", "b", "", "c\rd", "e"])
        #expect(ReferenceModel.lines(of: Array("a\n".utf8)).count == 1)
    }

    @Test func bomOnlyAtTheStartOfTheFileAndLastLineWithoutNewline() {
        let event = message("a", site: "1", from: "visitor1", at: 1)
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        #expect(Self.agreed(bom + Array(event.utf8)) == "1,messages=0,emails=1,operators=0,visitors=1\n")
        let second = message("b", site: "2", from: "visitor1", at: 1)
        let verdicts = ReferenceModel.verdicts(of: Array((event + "\n").utf8) + bom + Array(second.utf8))
        #expect(verdicts.count == 2)
        if case .malformed = verdicts[1] {} else { Issue.record("BOM inside the file accepted: \(verdicts[1])") }
    }

    // MARK: - Valid and malformed lines

    static let validLines: [String] = [
        #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":0}"#,
        #"  { "timestamp" : -9223372036854775808 , "site_id" : 1 , "from" : "" , "type" : "message" , "id" : "a" }  "#,
        "{\"id\":\"a\",\t\"type\":\"message\",\"from\":\"v\",\"site_id\":\"1\",\"timestamp\":9223372036854775807}\r",
        #"{"id":"a","type":"status","from":"o","site_id":"1","timestamp":1,"data":{"status":"offline","x":[]}}"#,
        #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":1,"data":null}"#,
        #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":1,"data":[1,2]}"#,
        #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":1,"x":{"timestamp":"no","id":""},"y":[{"a":[]}]}"#,
        #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":1,"big":123456789012345678901234567890}"#,
        #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":"x","timestamp":1}"#,
        #"{"id":"a","type":"st\u0061tus","from":"o","site_id":"1","timestamp":1,"d\u0061ta":{"status":"online"}}"#,
        #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":1,"note":"a,}\"x\\"}"#,
        #"{"id":"a","type":"message","from":"v","site_id":99999999999999999999,"timestamp":1}"#,
        #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":-0}"#,
    ]

    @Test(arguments: validLines)
    func validLine(_ line: String) {
        if case .event = ReferenceModel.parse(Array(line.utf8)) {} else {
            Issue.record("rejected \(line): \(ReferenceModel.parse(Array(line.utf8)))")
        }
    }

    static let malformedLines: [String] = [
        #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":1"#,
        #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":1}x"#,
        #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":1}{}"#,
        #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":1,}"#,
        #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":1,"x":[1,]}"#,
        #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":1,"x":{"y":1 ,  }}"#,
        #"{"type":"message","from":"v","site_id":"1","timestamp":1}"#,
        #"{"id":"","type":"message","from":"v","site_id":"1","timestamp":1}"#,
        #"{"id":1,"type":"message","from":"v","site_id":"1","timestamp":1}"#,
        #"{"id":"a","type":"chat","from":"v","site_id":"1","timestamp":1}"#,
        #"{"id":"a","type":"message","from":null,"site_id":"1","timestamp":1}"#,
        #"{"id":"a","type":"message","from":"v","site_id":true,"timestamp":1}"#,
        #"{"id":"a","type":"message","from":"v","site_id":1.0,"timestamp":1}"#,
        #"{"id":"a","type":"message","from":"v","site_id":1e2,"timestamp":1}"#,
        #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":"1"}"#,
        #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":0123}"#,
        #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":4301.5}"#,
        #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":4301.0}"#,
        #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":43e2}"#,
        #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":9223372036854775808}"#,
        #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":-9223372036854775809}"#,
        #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":18446744073709551616}"#,
        #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":1,"timestamp":1.5}"#,
        #"{"id":"a","type":"status","from":"o","site_id":"1","timestamp":1}"#,
        #"{"id":"a","type":"status","from":"o","site_id":"1","timestamp":1,"data":{"status":"away"}}"#,
        #"{"id":"a","type":"status","from":"o","site_id":"1","timestamp":1,"data":"online"}"#,
        #"{"id":"a","type":"status","from":"o","site_id":"1","timestamp":1,"data":{"status":true}}"#,
        "{\"id\":\"a\",\"type\":\"message\",\"from\":\"v\u{1}\",\"site_id\":\"1\",\"timestamp\":1}",
        "{\"id\":\"a\",\"type\":\"message\",\"from\":\"v\u{0}\",\"site_id\":\"1\",\"timestamp\":1}",
        #"{"id":"a","type":"message","from":"v\x","site_id":"1","timestamp":1}"#,
        #"{'id':"a","type":"message","from":"v","site_id":"1","timestamp":1}"#,
        #"{"id" "a","type":"message","from":"v","site_id":"1","timestamp":1}"#,
        #"[{"id":"a","type":"message","from":"v","site_id":"1","timestamp":1}]"#,
        #""id""#,
    ]

    @Test(arguments: malformedLines)
    func malformedLine(_ line: String) {
        if case .malformed = ReferenceModel.parse(Array(line.utf8)) {} else {
            Issue.record("accepted \(line)")
        }
    }

    @Test func invalidUTF8IsMalformed() {
        for bad: [UInt8] in [[0xFF], [0x80], [0xC3, 0x28], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80]] {
            let line = Array(#"{"id":"a","type":"message","from":"v"#.utf8) + bad
                + Array(#"","site_id":"1","timestamp":1}"#.utf8)
            if case .malformed = ReferenceModel.parse(line) {} else { Issue.record("accepted \(bad)") }
        }
    }

    @Test func utf16IsMalformed() {
        let text = #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":1}"#
        let utf16LE = text.utf16.flatMap { [UInt8(truncatingIfNeeded: $0), UInt8(truncatingIfNeeded: $0 >> 8)] }
        if case .malformed = ReferenceModel.parse(utf16LE) {} else { Issue.record("accepted UTF-16") }
    }

    // MARK: - JSONSerialization behaviours the reference relies on
    //
    // Where JSONSerialization is laxer than SPEC.md the reference checks
    // explicitly instead (UTF-16/32 input, a BOM, trailing commas — see
    // `jsonSerializationLaxness`); these are the behaviours it does rely on.

    private func accepts(_ text: String) -> Bool {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) != nil
    }

    @Test func jsonSerializationRejectsWhatSpecRejects() {
        #expect(!accepts(#"{"t":0123}"#))
        #expect(!accepts(#"{"t":-0123}"#))
        #expect(!accepts(#"{"t":00}"#))
        #expect(!accepts(#"{"a":[{"b":01}]}"#))
        #expect(!accepts(#"{"t":1}x"#))
        #expect(!accepts(#"{"t":1}}"#))
        #expect(!accepts(#"{"t":1}{}"#))
        #expect(!accepts(#"{"t":1} ,"#))
        #expect(!accepts("{\"t\":\"a\tb\"}"))
        #expect(!accepts("{\"t\":\"a\rb\"}"))
        #expect(!accepts(#"{"t":"\x"}"#))
        #expect(!accepts(#"{"t":"\ud800"}"#))
        #expect(!accepts(#"{'t':1}"#))
        #expect(!accepts(#"{t:1}"#))
        #expect(!accepts(#"{"t" 1}"#))
        #expect(!accepts(#"{"a":1 "b":2}"#))
        #expect(!accepts(#"{"t":1."#))
        #expect(!accepts("{\"t\":\u{0C}1}"))  // form feed is not JSON whitespace
        #expect((try? JSONSerialization.jsonObject(with: Data([0x7B, 0x22, 0x74, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D]))) == nil)
    }

    @Test func jsonSerializationDecodesWhatSpecDecodes() throws {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(
            #"{"a":"visitor\u0031","b":"\ud83d\ude00","c":"\/","k":1,"k":2,"big":123456789012345678901234567890,"n":[-2.5e3,0.5E-3,true,null,{}]," t":3,"s\u0069te":"x"}"#
                .utf8)) as? [String: Any])
        #expect(object["a"] as? String == "visitor1")
        #expect((object["b"] as? String).map { Array($0.utf8) } == [0xF0, 0x9F, 0x98, 0x80])
        #expect(object["c"] as? String == "/")
        #expect((object["k"] as? NSNumber)?.intValue == 2)  // last occurrence wins
        #expect(object["site"] as? String == "x")
        // Wrong types do not bridge to what the reference asks for.
        let typed = try #require(try JSONSerialization.jsonObject(with: Data(
            #"{"n":1,"z":null,"b":true,"a":["x"],"o":{"status":"online"}}"#.utf8)) as? [String: Any])
        #expect(typed["n"] as? String == nil)
        #expect(typed["z"] as? String == nil)
        #expect(typed["b"] as? String == nil)
        #expect(typed["a"] as? String == nil)
        #expect(typed["a"] as? [String: Any] == nil)
        #expect(typed["o"] as? [String: Any] != nil)
        // A top-level array is not an object.
        #expect(try JSONSerialization.jsonObject(with: Data("[1]".utf8)) as? [String: Any] == nil)
    }

    /// Documents where JSONSerialization is laxer than SPEC.md on this
    /// toolchain, i.e. why the reference has explicit checks. Records rather
    /// than fails when a toolchain tightens up (the checks stay harmless).
    @Test func jsonSerializationLaxness() {
        let lax: [(String, [UInt8])] = [
            ("trailing comma in object", Array(#"{"t":1,}"#.utf8)),
            ("trailing comma in array", Array(#"{"t":[1,]}"#.utf8)),
            ("leading BOM", [0xEF, 0xBB, 0xBF] + Array(#"{"t":1}"#.utf8)),
            ("UTF-16LE", #"{"t":1}"#.utf16.flatMap { [UInt8(truncatingIfNeeded: $0), UInt8(truncatingIfNeeded: $0 >> 8)] }),
        ]
        for (name, bytes) in lax where (try? JSONSerialization.jsonObject(with: Data(bytes))) == nil {
            print("note: JSONSerialization now rejects \(name); the reference's explicit check is redundant")
        }
        // Numbers: objCType cannot tell an integer reliably (Int64.min comes
        // back as a decimal 'd', 4301.0 as a double 'd'), hence raw text.
        let numbers = try? JSONSerialization.jsonObject(with: Data(
            #"{"min":-9223372036854775808,"f":4301.0}"#.utf8)) as? [String: Any]
        #expect(numbers != nil)
    }

    // MARK: - Building lines

    private func lines(_ lines: String...) -> [UInt8] {
        Array(lines.map { $0 + "\n" }.joined().utf8)
    }

    private func message(_ id: String, site: String, from: String, at timestamp: Int64) -> String {
        #"{"id":"\#(id)","type":"message","from":"\#(from)","site_id":"\#(site)","timestamp":\#(timestamp),"data":{"message":"hi"}}"#
    }

    private func status(_ id: String, site: String, from: String, at timestamp: Int64, online: Bool) -> String {
        #"{"id":"\#(id)","type":"status","from":"\#(from)","site_id":"\#(site)","timestamp":\#(timestamp),"data":{"status":"\#(online ? "online" : "offline")"}}"#
    }
}
