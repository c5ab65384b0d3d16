import Testing
@testable import SitesumCore

/// The rules for each field of an event, SPEC.md "Input".
@Suite struct EventDecoderFieldTests {
    // MARK: id

    @Test func idIsAnyNonEmptyString() {
        expectEvent(line(id: #""x""#), DecodedEvent(id: "x"))
        expectEvent(line(id: #"" ""#), DecodedEvent(id: " "))
        expectEvent(line(id: #""é😀""#), DecodedEvent(id: "é😀"))
    }

    @Test(arguments: ["5", "0", "-1.5", "null", "true", "false", "{}", #"{"a":1}"#, "[]", #"["x"]"#])
    func idOfAnotherTypeIsMalformed(_ value: String) {
        expectMalformed(line(id: value), .wrongType, field: .id, column: 7)
    }

    @Test func emptyIDIsMalformed() {
        let reason = expectMalformed(line(id: #""""#), .emptyID, field: .id, column: 7)
        #expect(reason?.description == #"column 7: field "id" is an empty string"#)
        // An escape-free empty string and nothing else: "\u0000" is not empty.
        expectEvent(line(id: #""\u0000""#), DecodedEvent(kind: .message, timestamp: 4301, id: [0], from: Array("visitor1".utf8), site: Array("1".utf8)))
    }

    @Test func missingIDIsMalformed() {
        expectMalformed(line(id: nil), .missingField, field: .id, column: 0)
        expectMalformed("{}", .missingField, field: .id, column: 0)
        expectMalformed(" { } ", .missingField, field: .id)
    }

    // MARK: type

    @Test func typeMessageAndStatus() {
        expectEvent(line(type: #""message""#), DecodedEvent(kind: .message))
        expectEvent(statusLine(data: #"{"status":"online"}"#), DecodedEvent(kind: .online, from: "operator1"))
        expectEvent(statusLine(data: #"{"status":"offline"}"#), DecodedEvent(kind: .offline, from: "operator1"))
    }

    @Test(arguments: [#""Message""#, #""MESSAGE""#, #""messages""#, #""messag""#, #""""#, #""status ""#, #"" status""#, #""online""#, #""mess\u0000ge""#])
    func unknownTypeIsMalformed(_ value: String) {
        expectMalformed(line(type: value), .unknownType, field: .type)
    }

    @Test(arguments: ["1", "null", "true", "[]", #"{"message":1}"#, #"["message"]"#])
    func typeOfAnotherJSONTypeIsMalformed(_ value: String) {
        expectMalformed(line(type: value), .wrongType, field: .type)
    }

    @Test func missingTypeIsMalformed() {
        expectMalformed(line(type: nil), .missingField, field: .type)
    }

    @Test func unknownTypeMessageQuotesTheValue() {
        let reason = expectMalformed(line(type: #""mesage""#))
        #expect(reason?.message == #"field "type" must be "message" or "status", found "mesage""#)
    }

    // MARK: from

    @Test func fromMayBeEmpty() {
        expectEvent(line(from: #""""#), DecodedEvent(from: ""))
    }

    @Test func fromMissingOrMistypedIsMalformed() {
        expectMalformed(line(from: nil), .missingField, field: .from)
        expectMalformed(line(from: "5"), .wrongType, field: .from)
        expectMalformed(line(from: "null"), .wrongType, field: .from)
        expectMalformed(line(from: "{}"), .wrongType, field: .from)
        expectMalformed(line(from: "false"), .wrongType, field: .from)
    }

    // MARK: site_id

    @Test func siteIDStringOrInteger() {
        expectEvent(line(site: #""1""#), DecodedEvent(site: "1"))
        expectEvent(line(site: "1"), DecodedEvent(site: "1"))
        expectEvent(line(site: #""""#), DecodedEvent(site: ""))
        expectEvent(line(site: #""abc-site""#), DecodedEvent(site: "abc-site"))
        expectEvent(line(site: "0"), DecodedEvent(site: "0"))
        expectEvent(line(site: "-0"), DecodedEvent(site: "0"))
        expectEvent(line(site: "-17"), DecodedEvent(site: "-17"))
        expectEvent(line(site: "-5"), DecodedEvent(site: "-5"))
        expectEvent(line(site: "-1"), DecodedEvent(site: "-1"))
        expectEvent(line(site: "10"), DecodedEvent(site: "10"))
        expectEvent(line(site: #""-0""#), DecodedEvent(site: "-0"))  // a string is kept as written
        let huge = "123456789012345678901234567890123456789012345678901234567890"
        expectEvent(line(site: huge), DecodedEvent(site: huge))
        expectEvent(line(site: "-" + huge), DecodedEvent(site: "-" + huge))
    }

    @Test(arguments: ["1.0", "1.5", "-0.0", "1e3", "1E3", "1e+3", "1e-3", "-2.5E-7", "0e0"])
    func siteIDNonIntegerNumberIsMalformed(_ value: String) {
        expectMalformed(line(site: value), .notAnInteger, field: .siteID)
    }

    @Test(arguments: ["01", "-01", "00", "-00", "007"])
    func siteIDWithLeadingZeroIsMalformed(_ value: String) {
        expectMalformed(line(site: value), .invalidNumber)
    }

    @Test func siteIDMissingOrMistypedIsMalformed() {
        expectMalformed(line(site: nil), .missingField, field: .siteID)
        expectMalformed(line(site: "null"), .wrongType, field: .siteID)
        expectMalformed(line(site: "true"), .wrongType, field: .siteID)
        expectMalformed(line(site: "[1]"), .wrongType, field: .siteID)
        expectMalformed(line(site: #"{"id":1}"#), .wrongType, field: .siteID)
    }

    // MARK: timestamp

    @Test func timestampAcceptsTheWholeInt64Range() {
        expectEvent(line(timestamp: "9223372036854775807"), DecodedEvent(timestamp: .max))
        expectEvent(line(timestamp: "-9223372036854775808"), DecodedEvent(timestamp: .min))
        expectEvent(line(timestamp: "9223372036854775806"), DecodedEvent(timestamp: .max - 1))
        expectEvent(line(timestamp: "-9223372036854775807"), DecodedEvent(timestamp: .min + 1))
        expectEvent(line(timestamp: "0"), DecodedEvent(timestamp: 0))
        expectEvent(line(timestamp: "-0"), DecodedEvent(timestamp: 0))
        expectEvent(line(timestamp: "-1"), DecodedEvent(timestamp: -1))
        expectEvent(line(timestamp: "1000000000000000000"), DecodedEvent(timestamp: 1_000_000_000_000_000_000))
        expectEvent(line(timestamp: "9999999999999999"), DecodedEvent(timestamp: 9_999_999_999_999_999))
    }

    @Test(arguments: [
        "9223372036854775808", "-9223372036854775809", "9999999999999999999", "-9999999999999999999",
        "10000000000000000000", "18446744073709551615", "18446744073709551616", "99999999999999999999999999999999",
    ])
    func timestampBeyondInt64IsMalformed(_ value: String) {
        expectMalformed(line(timestamp: value), .timestampOutOfRange, field: .timestamp)
    }

    @Test(arguments: ["1.0", "4301.5", "1e3", "1E3", "-1e0", "0.0", "-0.0", "1e-1"])
    func timestampWithFractionOrExponentIsMalformed(_ value: String) {
        expectMalformed(line(timestamp: value), .notAnInteger, field: .timestamp)
    }

    @Test(arguments: ["01", "-01", "00", "0123"])
    func timestampWithLeadingZeroIsMalformed(_ value: String) {
        expectMalformed(line(timestamp: value), .invalidNumber, column: 74)
    }

    @Test func timestampMissingOrMistypedIsMalformed() {
        expectMalformed(line(timestamp: nil), .missingField, field: .timestamp)
        expectMalformed(line(timestamp: #""4301""#), .wrongType, field: .timestamp)
        expectMalformed(line(timestamp: "null"), .wrongType, field: .timestamp)
        expectMalformed(line(timestamp: "[4301]"), .wrongType, field: .timestamp)
        expectMalformed(line(timestamp: "true"), .wrongType, field: .timestamp)
    }

    @Test(arguments: ["+1", ".5", "1.", "1e", "1e+", "-", "-a", "0x10", "1.e3", "NaN", "Infinity", "-Infinity"])
    func timestampThatIsNotAJSONNumberIsMalformed(_ value: String) {
        expectMalformed(line(timestamp: value))
    }

    // MARK: data and status

    @Test func messageNeedsNoData() {
        expectEvent(line(data: nil), DecodedEvent())
    }

    @Test(arguments: [
        "1", "-1.5e+10", #""text""#, "null", "true", "false", "[]", "{}", #"[1,"a",{"b":[null]}]"#,
        #"{"status":"bogus"}"#, #"{"status":5}"#, #"{"message":"hi","extra":{"deep":[1,2,{"x":null}]}}"#,
    ])
    func messageDataMayBeAnyValue(_ value: String) {
        expectEvent(line(data: value), DecodedEvent())
    }

    @Test(arguments: [#"{"message":tru}"#, #"[1,]"#, #"{"a":1,}"#, #""\x""#, "01", "nul"])
    func messageDataMustStillBeValidJSON(_ value: String) {
        expectMalformed(line(data: value))
    }

    @Test func statusNeedsDataWithAKnownStatus() {
        expectMalformed(statusLine(data: nil), .missingField, field: .data, column: 0)
        expectMalformed(statusLine(data: "{}"), .missingField, field: .status, column: 0)
        expectMalformed(statusLine(data: #"{"message":"online"}"#), .missingField, field: .status)
        expectMalformed(statusLine(data: #"{"x":{"status":"online"}}"#), .missingField, field: .status)
        expectMalformed(statusLine(data: #"[{"status":"online"}]"#), .wrongType, field: .data)
        expectMalformed(statusLine(data: #""online""#), .wrongType, field: .data)
        expectMalformed(statusLine(data: "null"), .wrongType, field: .data)
        expectMalformed(statusLine(data: "5"), .wrongType, field: .data)
        expectMalformed(statusLine(data: #"{"status":"away"}"#), .unknownStatus, field: .status)
        expectMalformed(statusLine(data: #"{"status":"Online"}"#), .unknownStatus, field: .status)
        expectMalformed(statusLine(data: #"{"status":"online "}"#), .unknownStatus, field: .status)
        expectMalformed(statusLine(data: #"{"status":""}"#), .unknownStatus, field: .status)
        expectMalformed(statusLine(data: #"{"status":1}"#), .wrongType, field: .status)
        expectMalformed(statusLine(data: #"{"status":null}"#), .wrongType, field: .status)
        expectMalformed(statusLine(data: #"{"status":true}"#), .wrongType, field: .status)
        expectMalformed(statusLine(data: #"{"status":{"status":"online"}}"#), .wrongType, field: .status)
        expectMalformed(statusLine(data: #"{"status":["online"]}"#), .wrongType, field: .status)
    }

    @Test func statusIsFoundAmongOtherDataKeys() {
        expectEvent(statusLine(data: #"{"a":[1,{"status":"offline"}],"status":"online","b":{}}"#), DecodedEvent(kind: .online, from: "operator1"))
        expectEvent(statusLine(data: #"{"Status":"offline","status":"online","statuss":"offline"}"#), DecodedEvent(kind: .online, from: "operator1"))
    }

    // MARK: keys

    @Test(arguments: [#""id ""#, #""ID""#, #""Id""#, #"" id""#, #""i""#, #""idd""#, #""i\u0000d""#])
    func keysThatOnlyResembleIDAreUnknown(_ key: String) {
        let text = #"{"# + key + #":"abc","type":"message","from":"v","site_id":"1","timestamp":1}"#
        expectMalformed(text, .missingField, field: .id)
    }

    @Test func keysThatOnlyResembleOtherFieldsAreUnknown() {
        expectMalformed(#"{"id":"a","Type":"message","from":"v","site_id":"1","timestamp":1}"#, .missingField, field: .type)
        expectMalformed(#"{"id":"a","type":"message","fro":"v","site_id":"1","timestamp":1}"#, .missingField, field: .from)
        expectMalformed(#"{"id":"a","type":"message","from":"v","site_ID":"1","timestamp":1}"#, .missingField, field: .siteID)
        expectMalformed(#"{"id":"a","type":"message","from":"v","siteid":"1","timestamp":1}"#, .missingField, field: .siteID)
        expectMalformed(#"{"id":"a","type":"message","from":"v","site_id":"1","timestamps":1}"#, .missingField, field: .timestamp)
        expectMalformed(#"{"id":"a","type":"message","from":"v","site_id":"1","timestamP":1}"#, .missingField, field: .timestamp)
        expectMalformed(#"{"id":"a","type":"status","from":"v","site_id":"1","timestamp":1,"Data":{"status":"online"}}"#, .missingField, field: .data)
        expectMalformed(#"{"id":"a","type":"status","from":"v","site_id":"1","timestamp":1,"data":{"statu":"online"}}"#, .missingField, field: .status)
    }

    @Test func onlyTopLevelKeysCount() {
        expectMalformed(line(id: nil, data: #"{"id":"abc"}"#), .missingField, field: .id)
        let nested = #"{"x":{"id":"abc","type":"message","from":"v","site_id":"1","timestamp":1},"y":[{"id":"a"}]}"#
        expectMalformed(nested, .missingField, field: .id)
        // Fields inside data or unknown keys do not override the top-level ones.
        expectEvent(line(data: #"{"id":"other","timestamp":"bad","type":5}"#), DecodedEvent())
        expectEvent(#"{"u":{"data":{"status":"online"}},"# + statusLine(data: #"{"status":"offline"}"#).dropFirst(), DecodedEvent(kind: .offline, from: "operator1"))
    }

    @Test func keyOrderDoesNotMatter() {
        let members = [
            #""id":"abc""#, #""type":"status""#, #""from":"operator1""#, #""site_id":7"#, #""timestamp":-5"#,
            #""data":{"status":"offline"}"#,
        ]
        let expected = DecodedEvent(kind: .offline, timestamp: -5, id: "abc", from: "operator1", site: "7")
        var count = 0
        func permute(_ chosen: [String], _ rest: [String]) {
            if rest.isEmpty {
                count += 1
                let outcome = decode("{" + chosen.joined(separator: ",") + "}")
                #expect(outcome == .event(expected), "order: \(chosen)")
                return
            }
            for k in rest.indices {
                var remaining = rest
                let next = remaining.remove(at: k)
                permute(chosen + [next], remaining)
            }
        }
        permute([], members)
        #expect(count == 720)
    }

    // MARK: repeated keys

    @Test func lastOccurrenceOfARepeatedKeyCounts() {
        expectEvent(#"{"id":"first","# + line(id: #""second""#).dropFirst(), DecodedEvent(id: "second"))
        expectEvent(line(id: #""a","id":"b","id":"c""#), DecodedEvent(id: "c"))
        expectEvent(line(from: #""x","from":"y""#), DecodedEvent(from: "y"))
        expectEvent(line(site: #"1,"site_id":"2""#), DecodedEvent(site: "2"))
        expectEvent(line(timestamp: #"1,"timestamp":2"#), DecodedEvent(timestamp: 2))
    }

    @Test func anEarlierBadValueIsForgivenByALaterGoodOne() {
        expectEvent(line(id: #"5,"id":"abc""#), DecodedEvent(id: "abc"))
        expectEvent(line(id: #""","id":"abc""#), DecodedEvent(id: "abc"))
        expectEvent(line(timestamp: #""x","timestamp":4301"#), DecodedEvent())
        expectEvent(line(timestamp: #"99999999999999999999,"timestamp":4301"#), DecodedEvent())
        expectEvent(line(type: #""bogus","type":"message""#), DecodedEvent())
    }

    @Test func aLaterBadValueSpoilsAnEarlierGoodOne() {
        expectMalformed(line(id: #""abc","id":5"#), .wrongType, field: .id)
        expectMalformed(line(id: #""abc","id":"""#), .emptyID)
        expectMalformed(line(timestamp: #"1,"timestamp":1.5"#), .notAnInteger)
        expectMalformed(line(type: #""message","type":"bogus""#), .unknownType)
    }

    @Test func anEarlierRepeatedValueMustStillBeValidJSON() {
        expectMalformed(line(id: #"tru,"id":"abc""#))
        expectMalformed(line(id: #""\q","id":"abc""#), .invalidEscape)
        expectMalformed(line(timestamp: #"01,"timestamp":4301"#), .invalidNumber)
    }

    @Test func typeCanFlipBetweenStatusAndMessage() {
        expectEvent(line(type: #""status","type":"message""#), DecodedEvent())
        expectMalformed(line(type: #""message","type":"status""#), .missingField, field: .status)
        expectEvent(line(type: #""message","type":"status""#, data: #"{"status":"online"}"#), DecodedEvent(kind: .online))
    }

    @Test func lastDataCounts() {
        expectEvent(statusLine(data: #"{"status":"online"},"data":{"status":"offline"}"#), DecodedEvent(kind: .offline, from: "operator1"))
        expectEvent(statusLine(data: #"{"status":"bogus"},"data":{"status":"offline"}"#), DecodedEvent(kind: .offline, from: "operator1"))
        // A later data without status drops the earlier status.
        expectMalformed(statusLine(data: #"{"status":"online"},"data":{"message":"x"}"#), .missingField, field: .status)
        expectMalformed(statusLine(data: #"{"status":"online"},"data":[1]"#), .wrongType, field: .data)
        expectEvent(statusLine(data: #"[1],"data":{"status":"online"}"#), DecodedEvent(kind: .online, from: "operator1"))
    }

    @Test func lastStatusInsideDataCounts() {
        expectEvent(statusLine(data: #"{"status":"online","status":"offline"}"#), DecodedEvent(kind: .offline, from: "operator1"))
        expectEvent(statusLine(data: #"{"status":5,"status":"online"}"#), DecodedEvent(kind: .online, from: "operator1"))
        expectMalformed(statusLine(data: #"{"status":"online","status":null}"#), .wrongType, field: .status)
    }

    // MARK: reasons

    @Test func reasonsNameTheFieldAndWhatWasFound() {
        #expect(expectMalformed(line(id: "5"))?.message == #"field "id" must be a non-empty string, found the number 5"#)
        #expect(expectMalformed(line(from: "null"))?.message == #"field "from" must be a string, found null"#)
        #expect(expectMalformed(line(site: "1.5"))?.message == #"field "site_id" must be a string or an integer, found the non-integer number 1.5"#)
        #expect(expectMalformed(line(timestamp: "9223372036854775808"))?.message.contains("outside the signed 64-bit range") == true)
        #expect(expectMalformed(statusLine(data: #"{"status":"away"}"#))?.message == #"field "status" in "data" must be "online" or "offline", found "away""#)
        #expect(expectMalformed(statusLine(data: "[]"))?.message == #"field "data" must be an object for a status event, found an array"#)
    }

    @Test func quotedValuesInReasonsAreEscapedAndCutShort() {
        let reason = expectMalformed(statusLine(data: #"{"status":"\u0000\n\"x"}"#), .unknownStatus)
        #expect(reason?.message == #"field "status" in "data" must be "online" or "offline", found "\u0000\n\"x""#)
        let long = String(repeating: "y", count: 100)
        let cut = expectMalformed(line(type: "\"" + long + "\""), .unknownType)
        #expect(cut?.message == "field \"type\" must be \"message\" or \"status\", found \"" + String(repeating: "y", count: 40) + "...\"")
    }

    @Test func problemsAreReportedInSchemaOrder() {
        // Both id and timestamp are wrong: id comes first.
        expectMalformed(line(id: "1", timestamp: nil), .wrongType, field: .id)
        expectMalformed(line(id: nil, type: nil), .missingField, field: .id)
        expectMalformed(line(type: #""status""#, timestamp: "1.5", data: nil), .notAnInteger, field: .timestamp)
    }
}
