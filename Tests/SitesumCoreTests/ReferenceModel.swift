import Foundation

/// A deliberately plain implementation of SPEC.md, the yardstick the real
/// engine is compared with. It shares no code with SitesumCore: lines are
/// parsed by Foundation's `JSONSerialization`, plus explicit checks wherever
/// `JSONSerialization` on Linux is laxer than SPEC.md (each one demonstrated in
/// ReferenceModelTests). Speed and memory do not matter here; being obviously
/// right does.
///
/// It is exact for every input the generator writes. Known gaps outside
/// that: `JSONSerialization` rejects numbers that overflow a Double (`1e400`)
/// and nesting deeper than about 500 levels, which SPEC.md would accept
/// inside unknown members.
enum ReferenceModel {
    /// A valid event, with every string as its UTF-8 bytes (strings are
    /// compared bytewise, never with `String`'s Unicode equivalence).
    struct Event: Equatable {
        var id: [UInt8]
        var isStatus: Bool
        /// For a status event: "online" rather than "offline".
        var online: Bool
        var from: [UInt8]
        var site: [UInt8]
        var timestamp: Int64
    }

    /// What one line of the input amounts to.
    enum Verdict: Equatable {
        case blank
        case malformed(String)
        /// A valid event whose id no earlier valid line had.
        case counted(Event)
        /// A valid event whose id an earlier valid line already claimed.
        case duplicate(Event)
    }

    /// The exact text sitesum prints for `input`.
    static func summary(of input: [UInt8]) -> String {
        // Every counted event, grouped by site, with its line number.
        var eventsBySite: [[UInt8]: [(event: Event, line: Int)]] = [:]
        for (line, verdict) in verdicts(of: input).enumerated() {
            if case .counted(let event) = verdict {
                eventsBySite[event.site, default: []].append((event, line))
            }
        }
        var output = ""
        for site in eventsBySite.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            // Rule 2: by timestamp, then statuses before messages, then file order.
            let ordered = eventsBySite[site]!.sorted { a, b in
                (a.event.timestamp, a.event.isStatus ? 0 : 1, a.line)
                    < (b.event.timestamp, b.event.isStatus ? 0 : 1, b.line)
            }
            var latestStatus: [[UInt8]: Bool] = [:]  // operator -> online
            var messages = 0
            var emails = 0
            var operators = Set<[UInt8]>()
            var visitors = Set<[UInt8]>()
            for (event, _) in ordered {
                if event.isStatus {
                    latestStatus[event.from] = event.online
                    operators.insert(event.from)
                } else {
                    if latestStatus.values.contains(true) { messages += 1 } else { emails += 1 }
                    visitors.insert(event.from)
                }
            }
            output += String(decoding: site, as: UTF8.self)
                + ",messages=\(messages),emails=\(emails),operators=\(operators.count),visitors=\(visitors.count)\n"
        }
        return output
    }

    /// One verdict per line, in file order (rule 1: the first valid line
    /// with an id counts, malformed lines claim nothing).
    static func verdicts(of input: [UInt8]) -> [Verdict] {
        var claimed = Set<[UInt8]>()
        return lines(of: input).map { line in
            switch parse(line) {
            case .blank: return .blank
            case .malformed(let why): return .malformed(why)
            case .event(let event):
                return claimed.insert(event.id).inserted ? .counted(event) : .duplicate(event)
            }
        }
    }

    /// The input's lines: a UTF-8 BOM at the very start is dropped; lines end
    /// at "\n", which is removed along with a "\r" just before it; a last
    /// line without "\n" is a line too.
    static func lines(of input: [UInt8]) -> [[UInt8]] {
        var bytes = input[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        var pieces = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        // After a final "\n" comes an empty piece that is not a line.
        if pieces.last?.isEmpty == true { pieces.removeLast() }
        return pieces.enumerated().map { index, piece in
            let terminated = index < pieces.count - 1 || bytes.last == UInt8(ascii: "\n")
            return terminated && piece.last == UInt8(ascii: "\r") ? Array(piece.dropLast()) : Array(piece)
        }
    }

    /// What one line holds, ignoring duplicates.
    enum Parsed: Equatable {
        case blank
        case malformed(String)
        case event(Event)
    }

    /// Reads one line (without its line end) by the table in SPEC.md.
    static func parse(_ line: [UInt8]) -> Parsed {
        if line.allSatisfy(isJSONWhitespace) { return .blank }  // no LF left in a line

        // Checks JSONSerialization does not make (or makes differently).
        if String(validating: line, as: UTF8.self) == nil { return .malformed("invalid UTF-8") }
        // It would read NUL-laden bytes as UTF-16 or UTF-32; in UTF-8 JSON a
        // raw NUL is always an error.
        if line.contains(0) { return .malformed("NUL byte") }
        // It skips a BOM; only one at the very start of the file is allowed.
        if line.starts(with: [0xEF, 0xBB, 0xBF]) { return .malformed("byte-order mark inside the file") }
        // It accepts `{"a":1,}` and `[1,]`.
        if hasTrailingComma(line) { return .malformed("trailing comma") }

        guard let parsed = try? JSONSerialization.jsonObject(with: Data(line)),
              let object = parsed as? [String: Any]
        else { return .malformed("not a JSON object") }
        // Raw text of top-level values, for what JSONSerialization's numbers
        // cannot tell (1 vs 1.0, Int64 range) and for the decimal text of an
        // integer site_id.
        let raw = topLevelRawValues(line)

        guard let id = object["id"] as? String, !id.isEmpty else { return .malformed("id") }
        guard let type = object["type"] as? String else { return .malformed("type") }
        let isStatus: Bool
        switch Array(type.utf8) {
        case Array("message".utf8): isStatus = false
        case Array("status".utf8): isStatus = true
        default: return .malformed("unknown type")
        }
        guard let from = object["from"] as? String else { return .malformed("from") }

        let site: [UInt8]
        if let text = object["site_id"] as? String {
            site = Array(text.utf8)
        } else if let text = raw[Array("site_id".utf8)], isJSONInteger(text) {
            site = text == Array("-0".utf8) ? Array("0".utf8) : text
        } else {
            return .malformed("site_id")
        }

        // Int64(_:) accepts exactly an optional "-" and decimal digits within
        // range; the JSON parse above already rejected "+" and leading zeros,
        // and quotes, fractions and exponents make it fail.
        guard let timestampText = raw[Array("timestamp".utf8)],
              let timestamp = Int64(String(decoding: timestampText, as: UTF8.self))
        else { return .malformed("timestamp") }

        var online = false
        if isStatus {
            guard let data = object["data"] as? [String: Any],
                  let status = data["status"] as? String
            else { return .malformed("data.status") }
            switch Array(status.utf8) {
            case Array("online".utf8): online = true
            case Array("offline".utf8): online = false
            default: return .malformed("unknown status")
            }
        }
        return .event(Event(
            id: Array(id.utf8), isStatus: isStatus, online: online,
            from: Array(from.utf8), site: site, timestamp: timestamp))
    }

    /// `-?[0-9]+`: a JSON number with neither fraction nor exponent.
    static func isJSONInteger(_ text: [UInt8]) -> Bool {
        let digits = text.first == UInt8(ascii: "-") ? text.dropFirst() : text[...]
        return !digits.isEmpty && digits.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// Space, tab, CR or LF.
    static func isJSONWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }

    /// True when a "," outside strings is followed (after whitespace) by "}"
    /// or "]".
    static func hasTrailingComma(_ line: [UInt8]) -> Bool {
        var inString = false
        var escaped = false
        var lastOutsideStrings: UInt8 = 0
        for byte in line {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            if isJSONWhitespace(byte) { continue }
            switch byte {
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if lastOutsideStrings == UInt8(ascii: ",") { return true }
            case UInt8(ascii: "\""):
                inString = true
            default:
                break
            }
            lastOutsideStrings = byte
        }
        return false
    }

    /// For a line JSONSerialization accepted as an object: the raw text of
    /// each top-level member's value, by decoded key. A repeated key keeps its
    /// last value, as JSONSerialization does. Only valid JSON reaches here, so
    /// the walk needs no error handling.
    static func topLevelRawValues(_ line: [UInt8]) -> [[UInt8]: [UInt8]] {
        var i = 0
        func skipWhitespace() {
            while i < line.count, isJSONWhitespace(line[i]) { i += 1 }
        }
        func skipString() {  // from the opening quote to just past the closing one
            i += 1
            while line[i] != UInt8(ascii: "\"") {
                if line[i] == UInt8(ascii: "\\") { i += 1 }
                i += 1
            }
            i += 1
        }
        func skipValue() {
            switch line[i] {
            case UInt8(ascii: "\""):
                skipString()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var depth = 0
                repeat {
                    switch line[i] {
                    case UInt8(ascii: "\""): skipString(); continue
                    case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                    case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
                    default: break
                    }
                    i += 1
                } while depth > 0
            default:  // number, true, false, null
                while i < line.count, !isJSONWhitespace(line[i]),
                      ![UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]")].contains(line[i]) { i += 1 }
            }
        }

        var values: [[UInt8]: [UInt8]] = [:]
        skipWhitespace()
        i += 1  // "{"
        while true {
            skipWhitespace()
            if line[i] == UInt8(ascii: "}") { break }
            let keyStart = i
            skipString()
            // Without a backslash a string's content is its bytes; with one,
            // let JSONSerialization decode the escapes.
            let rawKey = line[keyStart + 1..<i - 1]
            let key = rawKey.contains(UInt8(ascii: "\\"))
                ? Array((try! JSONSerialization.jsonObject(
                    with: Data(line[keyStart..<i]), options: .fragmentsAllowed) as! String).utf8)
                : Array(rawKey)
            skipWhitespace()
            i += 1  // ":"
            skipWhitespace()
            let valueStart = i
            skipValue()
            values[key] = Array(line[valueStart..<i])
            skipWhitespace()
            if line[i] == UInt8(ascii: ",") { i += 1 }
        }
        return values
    }
}
