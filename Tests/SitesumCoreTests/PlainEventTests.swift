import SitesumGenerator
import Testing
@testable import SitesumCore

/// The decoder's shortcut for lines in the schema's plain form
/// (`LineScanner.plainEvent`): it must make exactly the event the general
/// parser makes, and leave every other line to the general parser.
@Suite struct PlainEventTests {
    static let message = #"{"id":"7be96523-6729-47d3-b95f-ba07afa980ac","type":"message","from":"visitor956","site_id":"1","timestamp":52865,"data":{"message":"was #42 hello"}}"#
    static let online = #"{"id":"292af4fc-7f40-4491-b342-5cb5a33f7ccd","type":"status","from":"operator3","site_id":"2","timestamp":30085,"data":{"status":"online"}}"#
    static let offline = #"{"id":"x","type":"status","from":"operator3","site_id":"site 2","timestamp":-7,"data":{"status":"offline"}}"#

    /// The shortcut's event for `line`, copied out; nil when it declines.
    ///
    /// Every line is also read at the start of a piece of lines (its "\n",
    /// then another line), as a batch reads lines staged in one piece
    /// (`plainEvent(newlineEnded: true)`): that must make the same event of
    /// the line up to its first "\n", and find where that "\n" is.
    static func shortcut(_ line: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> DecodedEvent? {
        let event = shortcut(line, newlineEnded: false)?.event
        let end = line.firstIndex(of: 0x0A) ?? line.count
        let expected = end == line.count ? event : shortcut(Array(line[..<end]), newlineEnded: false)?.event
        let inPiece = shortcut(line + [0x0A] + Array(message.utf8), newlineEnded: true)
        #expect(inPiece?.event == expected, "\(String(decoding: line, as: UTF8.self))", sourceLocation: sourceLocation)
        if let inPiece { #expect(inPiece.length == end, sourceLocation: sourceLocation) }
        return event
    }

    static func shortcut(_ bytes: [UInt8], newlineEnded: Bool) -> (event: DecodedEvent, length: Int)? {
        bytes.withUnsafeBytes { bytes -> (event: DecodedEvent, length: Int)? in
            guard let base = bytes.baseAddress else { return nil }
            // The scanner does not keep its storage alive.
            let storage = DecoderStorage()
            return withExtendedLifetime(storage) {
                LineScanner(base: base, count: bytes.count, storage: storage).plainEvent(newlineEnded: newlineEnded)
                    .map { (Self.copy($0.event), $0.length) }
            }
        }
    }

    /// What the general parser alone says of `line`.
    static func general(_ line: [UInt8]) -> Outcome {
        line.withUnsafeBytes { bytes -> Outcome in
            guard let base = bytes.baseAddress else { return .blank }
            let storage = DecoderStorage()
            defer { withExtendedLifetime(storage) {} }
            var scanner = LineScanner(base: base, count: bytes.count, storage: storage)
            let start = scanner.skipWhitespace(0)
            if start == bytes.count { return .blank }
            do throws(MalformedReason) {
                return .event(copy(try scanner.parseEvent(at: start)))
            } catch {
                return .malformed(error)
            }
        }
    }

    static func copy(_ event: RawEvent) -> DecodedEvent {
        #expect(event.uuid == nil || event.uuid == UUIDText.parse(event.id), "a UUID read on the way is the id's")
        return DecodedEvent(kind: event.kind, timestamp: event.timestamp, id: Array(event.id), from: Array(event.from), site: Array(event.site))
    }

    @Test func piecesSpellTheirText() {
        let pieces: [(PlainEventPiece, String)] = [
            (.open, #"{"id":""#), (.type, #"","type":""#), (.message, #"message""#), (.status, #"status""#),
            (.from, #","from":""#), (.site, #"","site_id":""#), (.timestamp, #"","timestamp":"#),
            (.data, #","data":{""#), (.messageKey, #"message":""#), (.statusKey, #"status":""#),
            (.online, #"online"}}"#), (.offline, #"offline"}}"#), (.close, "}}"),
        ]
        for (piece, text) in pieces {
            #expect((0..<piece.count).map(piece.byte) == Array(text.utf8), "\(text)")
            #expect(piece.first & ~piece.firstMask == 0 && piece.second & ~piece.secondMask == 0, "\(text)")
        }
    }

    @Test func plainLinesTakeTheShortcutAndMakeTheGeneralParsersEvent() {
        let lines = [
            Self.message, Self.online, Self.offline,
            #"{"id":"a","type":"message","from":"","site_id":"","timestamp":0,"data":{"message":""}}"#,
            #"{"id":"a","type":"message","from":"v","site_id":"s","timestamp":-0,"data":{"message":"tab\there \"urgent\" \u00e9 é"}}"#,
            #"{"id":"a","type":"message","from":"v","site_id":"s","timestamp":9223372036854775807,"data":{"message":"x"}}"#,
            #"{"id":"a","type":"message","from":"v","site_id":"s","timestamp":-9223372036854775808,"data":{"message":"x"}}"#,
        ]
        for line in lines.map({ Array($0.utf8) }) {
            let event = Self.shortcut(line)
            #expect(event != nil, "\(String(decoding: line, as: UTF8.self))")
            #expect(event.map(Outcome.event) == Self.general(line))
            #expect(decode(line) == Self.general(line))
        }
        #expect(Self.shortcut(Array(Self.message.utf8))
            == DecodedEvent(kind: .message, timestamp: 52865, id: "7be96523-6729-47d3-b95f-ba07afa980ac", from: "visitor956", site: "1"))
        #expect(Self.shortcut(Array(Self.offline.utf8))?.kind == .offline)
        #expect(Self.shortcut(Array(Self.offline.utf8))?.timestamp == -7)
    }

    /// An id in the canonical UUID spelling is read as 128 bits on the
    /// shortcut (and not scanned as a string first); an id that only starts
    /// like one, or is spelled otherwise, is an ordinary string, with the
    /// same event as the general parser's.
    @Test func uuidIDsAreReadOnTheShortcut() {
        let uuid = "7be96523-6729-47d3-b95f-ba07afa980ac"
        func line(id: String) -> [UInt8] {
            Array(#"{"id":"\#(id)","type":"message","from":"v","site_id":"1","timestamp":5,"data":{"message":"m"}}"#.utf8)
        }
        func uuidOnShortcut(_ line: [UInt8]) -> UUIDKey? {
            line.withUnsafeBytes { bytes in
                let storage = DecoderStorage()
                return withExtendedLifetime(storage) {
                    LineScanner(base: bytes.baseAddress!, count: bytes.count, storage: storage).plainEvent()?.uuid
                }
            }
        }
        let canonical = line(id: uuid)
        #expect(uuidOnShortcut(canonical) != nil)
        #expect(uuidOnShortcut(canonical) == Array(uuid.utf8).withUnsafeBytes { UUIDText.parse($0) })
        for id in [uuid.uppercased(), uuid + "0", String(uuid.dropLast()), uuid.replacingOccurrences(of: "-", with: "x"), "x" + uuid] {
            let other = line(id: id)
            #expect(uuidOnShortcut(other) == nil, "\(id)")
            #expect(Self.shortcut(other)?.id == Array(id.utf8), "\(id)")
            #expect(Self.shortcut(other).map(Outcome.event) == Self.general(other), "\(id)")
        }
    }

    /// Lines one step away from the plain form: the shortcut declines every
    /// one, and the decoder says what the general parser says.
    @Test func linesOffTheTemplateGoTheGeneralWay() {
        let lines = [
            #"{ "id":"a","type":"message","from":"v","site_id":"1","timestamp":1,"data":{"message":"x"}}"#,
            #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":1,"data":{"message":"x"}} "#,
            "{\"id\":\"a\",\"type\":\"message\",\"from\":\"v\",\"site_id\":\"1\",\"timestamp\":1,\"data\":{\"message\":\"x\"}}\r",
            #"{"type":"message","id":"a","from":"v","site_id":"1","timestamp":1,"data":{"message":"x"}}"#,
            #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":1,"data":{"message":"x"},"id":"b"}"#,
            #"{"id":"\u0061","type":"message","from":"v","site_id":"1","timestamp":1,"data":{"message":"x"}}"#,
            #"{"id":"a","type":"message","from":"\u0076","site_id":"1","timestamp":1,"data":{"message":"x"}}"#,
            #"{"id":"a","type":"message","from":"v","site_id":"\u0031","timestamp":1,"data":{"message":"x"}}"#,
            #"{"id":"a","type":"message","from":"vé","site_id":"1","timestamp":1,"data":{"message":"x"}}"#,
            #"{"id":"a","type":"message","from":"v","site_id":1,"timestamp":1,"data":{"message":"x"}}"#,
            #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":1.5,"data":{"message":"x"}}"#,
            #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":1e3,"data":{"message":"x"}}"#,
            #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":01,"data":{"message":"x"}}"#,
            #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":-,"data":{"message":"x"}}"#,
            #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":9223372036854775808,"data":{"message":"x"}}"#,
            #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":-9223372036854775809,"data":{"message":"x"}}"#,
            #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":9999999999999999999,"data":{"message":"x"}}"#,
            #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":18446744073709551617,"data":{"message":"x"}}"#,
            #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":-01,"data":{"message":"x"}}"#,
            #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":"1","data":{"message":"x"}}"#,
            #"{"id":"","type":"message","from":"v","site_id":"1","timestamp":1,"data":{"message":"x"}}"#,
            #"{"id":"a","type":"massage","from":"v","site_id":"1","timestamp":1,"data":{"message":"x"}}"#,
            #"{"id":"a","type":"status","from":"v","site_id":"1","timestamp":1,"data":{"status":"away"}}"#,
            #"{"id":"a","type":"status","from":"v","site_id":"1","timestamp":1,"data":{"status":"online","status":"offline"}}"#,
            #"{"id":"a","type":"status","from":"v","site_id":"1","timestamp":1,"data":{"message":"x"}}"#,
            #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":1,"data":{"status":"online"}}"#,
            #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":1,"data":{"message":"x","more":1}}"#,
            #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":1,"data":"x"}"#,
            #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":1,"data":{"message":"\x"}}"#,
            #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":1,"data":{"message":"x"}}}"#,
            #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":1,"data":{"message":"x"}"#,
            #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":1,"data":{"message":"x"}}x"#,
            #"{"id":"a","type":"status","from":"v","site_id":"1","timestamp":1,"data":{"status":"online"}} "#,
        ]
        for line in lines.map({ Array($0.utf8) }) + [
            Array(#"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":1,"data":{"message":"a"#.utf8) + [0x01] + Array(#""}}"#.utf8),
            Array(#"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":1,"data":{"message":"a"#.utf8) + [0xC0, 0x80] + Array(#""}}"#.utf8),
        ] {
            #expect(Self.shortcut(line) == nil, "\(String(decoding: line, as: UTF8.self))")
            #expect(decode(line) == Self.general(line), "\(String(decoding: line, as: UTF8.self))")
        }
    }

    /// Every prefix of a plain line and every single-byte change to one:
    /// whatever the shortcut accepts, the general parser makes the same
    /// event of, and the decoder always agrees with the general parser.
    @Test func cutsAndSingleByteChangesAgreeWithTheGeneralParser() {
        let replacements: [UInt8] = [0x20, 0x22, 0x5C, 0x30, 0x39, 0x2D, 0x2E, 0x65, 0x7D, 0x2C, 0x3A, 0x01, 0x80, 0xC3, 0x0A]
        var accepted = 0, declined = 0
        for text in [Self.message, Self.online, Self.offline] {
            let plain = Array(text.utf8)
            var variants = (0..<plain.count).map { Array(plain[..<$0]) }
            for position in plain.indices {
                for replacement in replacements where replacement != plain[position] {
                    var changed = plain
                    changed[position] = replacement
                    variants.append(changed)
                }
            }
            for line in variants {
                let general = Self.general(line)
                if let event = Self.shortcut(line) {
                    accepted += 1
                    #expect(.event(event) == general, "\(String(decoding: line, as: UTF8.self))")
                } else {
                    declined += 1
                }
                #expect(decode(line) == general, "\(String(decoding: line, as: UTF8.self))")
            }
        }
        // Both ways were taken: changes inside the strings keep the plain form.
        #expect(accepted > 100)
        #expect(declined > 100)
    }

    /// Timestamps of every length from 1 to 21 digits, of either sign and
    /// with a leading zero or not, some followed by a digit-like byte: the
    /// shortcut (which reads up to 16 digits 8 at a time) takes exactly the
    /// ones that are JSON integers within 64 bits, with the value the
    /// general parser reads, and declines the rest.
    @Test func timestampsOfEveryLengthAgreeWithTheGeneralParser() {
        var generator = SplitMix64(state: 21)  // seeded, so a failure reproduces
        var accepted = 0, declined = 0
        for length in 1...21 {
            for trial in 0..<40 {
                var digits = (0..<length).map { _ in Character(String(Int.random(in: 0...9, using: &generator))) }
                if trial % 4 != 0 && length > 1 && digits[0] == "0" { digits[0] = "7" }
                if trial % 8 == 1 { digits = Array(repeating: "9", count: length) }
                let number = (trial % 2 == 0 ? "" : "-") + String(digits)
                let after = trial % 5 == 0 ? "/" : trial % 5 == 1 ? ":" : ""
                let line = Array(#"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":\#(number)\#(after),"data":{"message":"x"}}"#.utf8)
                let general = Self.general(line)
                if let event = Self.shortcut(line) {
                    accepted += 1
                    #expect(.event(event) == general, "\(number)\(after)")
                    #expect(String(event.timestamp) == number.replacingOccurrences(of: "-0", with: "0"), "\(number)")
                } else {
                    declined += 1
                    if case .event = general { Issue.record("the shortcut declined a valid \(number)\(after)") }
                }
            }
        }
        #expect(accepted > 300)
        #expect(declined > 200)
    }

    /// Generated logs, whose lines come in every form the generator writes:
    /// the decoder agrees with the general parser on every line, and most
    /// lines take the shortcut.
    @Test(arguments: [UInt64(1), 2, 3])
    func generatedLinesAgreeWithTheGeneralParser(seed: UInt64) {
        var options = GeneratorOptions(lines: 20_000)
        options.seed = seed
        options.malformedRate = 0.02
        let bytes = LogGenerator(options: options).bytes()
        var decoder = EventDecoder()
        var lines = 0, shortcuts = 0, mismatches = 0
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            let line = Array(line)
            lines += 1
            if Self.shortcut(line) != nil { shortcuts += 1 }
            if decode(line, with: &decoder) != Self.general(line) { mismatches += 1 }
        }
        #expect(mismatches == 0)
        #expect(shortcuts > lines / 2)
        #expect(shortcuts < lines)
    }
}
