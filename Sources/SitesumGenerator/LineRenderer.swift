/// Writes one `EventRecord` as one line of the log, in its producer's style,
/// optionally broken by a `Defect`.
///
/// Every choice is drawn from a SplitMix64 seeded with the record's style
/// seed, so rendering the same record with the same defect always gives the
/// same bytes: exact retransmits are simply records rendered twice.
struct LineRenderer {
    private let record: EventRecord
    private let defect: Defect?
    private var rng: SplitMix64
    private var flags: LineStyle.Flags

    // Layout.
    private var order: [Member]
    private var comma: StaticString = ","
    private var colon: StaticString = ":"
    private var open: StaticString = "{"
    private var close: StaticString = "}"
    private var lead: StaticString = ""
    private var trail: StaticString = ""

    // Oddities of this line; nil when absent.
    private var escape: EscapeTarget?
    private var wrongType: Field?
    private var broken: BrokenSyntax?
    private var brokenAt = 0
    private var oddData: StaticString?
    /// For invalidUTF8 / controlCharacter: put the bad bytes in the message
    /// text rather than in `from`.
    private var injectInMessage = false

    private static let allFields: [Member] = Field.allCases.map { .field($0) }

    init(record: EventRecord, defect: Defect?) {
        self.record = record
        self.defect = defect
        self.rng = SplitMix64(state: record.style.seed)
        self.flags = record.style.flags
        self.order = Self.allFields
        // A decoy could supply a missing field or hide a bad one behind a good
        // one, and a defect must survive whatever the style does.
        if defect != nil { flags.remove(.duplicateKeys) }
        if !flags.isEmpty || defect != nil { plan() }
    }

    /// Appends the line, including its line end.
    mutating func write(into out: inout ByteBuffer) {
        out.append(lead)
        let openAt = out.count
        out.append(open)
        for (index, member) in order.enumerated() {
            if index > 0 && !(broken == .missingComma && brokenAt == index) { out.append(comma) }
            writeMember(member, at: index, into: &out)
        }
        if broken == .trailingComma { out.append(",") }
        let closeAt = out.count + (close.utf8CodeUnitCount - 1)
        out.append(close)
        out.append(trail)
        finishDefect(openAt: openAt, closeAt: closeAt, into: &out)
        if flags.contains(.crlf) { out.append("\r\n") } else { out.append("\n") }
    }

    // MARK: - Planning (only for lines with a style flag or a defect)

    private mutating func plan() {
        let fieldsThatMatter: [Field] = record.isStatus
            ? Field.allCases : [.id, .type, .from, .site, .timestamp]
        if !record.isStatus && flags.contains(.oddMessageData) {
            oddData = pick(LineText.oddMessageData)
            if oddData == nil { order.removeAll { $0 == .field(.data) } }
        }
        if flags.contains(.spaced) { planSpacing() }
        if flags.contains(.reordered) { order = shuffled(order) }
        if flags.contains(.extraKeys) {
            for _ in 0..<(1 + rng.below(2)) {
                order.insert(.extra(rng.below(LineText.extraMembers.count)), at: rng.below(order.count + 1))
            }
        }
        if flags.contains(.duplicateKeys) {
            let field = pick(fieldsThatMatter)
            if let real = order.firstIndex(of: .field(field)) {
                order.insert(.decoy(field), at: rng.below(real + 1))
            }
        }
        if flags.contains(.escaped) {
            escape = switch rng.below(8) {
            case 0, 1, 2: .value(.from)
            case 3: .value(.site)
            case 4: .value(.type)
            case 5: .value(.id)
            case 6: record.isStatus ? .status : .value(.from)
            default: .key(pick(Field.allCases))
            }
        }
        switch defect {
        case .missingField:
            let field = pick(fieldsThatMatter)
            order.removeAll { $0 == .field(field) }
        case .wrongType:
            wrongType = pick(fieldsThatMatter)
        case .invalidUTF8, .controlCharacter:
            injectInMessage = !record.isStatus && oddData == nil && order.contains(.field(.data)) && rng.below(3) == 0
        case .brokenSyntax:
            broken = pick(BrokenSyntax.allCases)
            if broken == .missingComma {
                brokenAt = 1 + rng.below(order.count - 1)
            } else {
                // Key-level breakage must land on a member whose key we write
                // (not an unknown member written as fixed text).
                let keyed = order.indices.filter { if case .field = order[$0] { true } else { false } }
                brokenAt = pick(keyed)
            }
            if broken == .nestedTrailingComma {
                order.insert(.brokenExtra(rng.below(LineText.brokenMembers.count)), at: rng.below(order.count + 1))
            }
        default:
            break
        }
    }

    private mutating func planSpacing() {
        switch rng.below(4) {
        case 0: (comma, colon) = (", ", ": ")
        case 1: (comma, colon) = (" , ", " : ")
        case 2: (comma, colon) = (",\t", ":\t")
        default: (comma, colon) = (",  ", ":")
        }
        if rng.below(2) == 0 { (open, close) = ("{ ", " }") }
        if rng.below(3) == 0 { lead = " " }
        if rng.below(3) == 0 { trail = " \t" }
    }

    // MARK: - Members

    private mutating func writeMember(_ member: Member, at index: Int, into out: inout ByteBuffer) {
        switch member {
        case .extra(let n):
            out.append(LineText.extraMembers[n])
        case .brokenExtra(let n):
            out.append(LineText.brokenMembers[n])
        case .decoy(let field):
            writeKey(field, at: index, into: &out)
            out.append(pick(LineText.decoys(for: field, isStatus: record.isStatus)))
        case .field(let field):
            writeKey(field, at: index, into: &out)
            writeValue(field, into: &out)
        }
    }

    private mutating func writeKey(_ field: Field, at index: Int, into out: inout ByteBuffer) {
        let isBroken = brokenAt == index
        switch broken {
        case .singleQuotedKey where isBroken:
            out.append("'"); out.append(field.key); out.append("'")
        case .bareKey where isBroken:
            out.append(field.key)
        default:
            let start = out.count + 1
            out.append("\""); out.append(field.key); out.append("\"")
            if escape == .key(field) { escapeOne(in: start..<out.count - 1, of: &out) }
        }
        if !(broken == .missingColon && isBroken) { out.append(colon) } else { out.append(" ") }
    }

    private mutating func writeValue(_ field: Field, into out: inout ByteBuffer) {
        if wrongType == field {
            if field == .timestamp && rng.below(2) == 0 {
                // The number as a string: `"timestamp":"4301"`.
                out.append("\""); out.appendDecimal(record.timestamp); out.append("\"")
            } else {
                out.append(pick(LineText.wrongTypes(for: field)))
            }
            return
        }
        switch field {
        case .id: writeID(into: &out)
        case .type: writeType(into: &out)
        case .from: writeFrom(into: &out)
        case .site: writeSite(into: &out)
        case .timestamp: writeTimestamp(into: &out)
        case .data: writeData(into: &out)
        }
    }

    private mutating func writeID(into out: inout ByteBuffer) {
        out.append("\"")
        let start = out.count
        if defect != .emptyID {
            let (high, low) = (record.idHigh, record.idLow)
            out.appendHex(high >> 32, digits: 8); out.append("-")
            out.appendHex(high >> 16, digits: 4); out.append("-")
            out.appendHex(high, digits: 4); out.append("-")
            out.appendHex(low >> 48, digits: 4); out.append("-")
            out.appendHex(low, digits: 12)
        }
        if escape == .value(.id) { escapeOne(in: start..<out.count, of: &out) }
        out.append("\"")
    }

    private mutating func writeType(into out: inout ByteBuffer) {
        out.append("\"")
        let start = out.count
        if defect == .unknownType {
            out.append(pick(LineText.unknownTypes))
        } else {
            out.append(record.isStatus ? "status" : "message")
        }
        if escape == .value(.type) { escapeOne(in: start..<out.count, of: &out) }
        out.append("\"")
    }

    private mutating func writeFrom(into out: inout ByteBuffer) {
        out.append("\"")
        let start = out.count
        out.append(record.isStatus ? "operator" : "visitor")
        out.appendDecimal(record.sender)
        if escape == .value(.from) { escapeOne(in: start..<out.count, of: &out) }
        if !injectInMessage { injectDefectBytes(in: start..<out.count, of: &out) }
        out.append("\"")
    }

    private mutating func writeSite(into out: inout ByteBuffer) {
        if flags.contains(.integerSite) {
            out.appendDecimal(record.site)
            return
        }
        out.append("\"")
        let start = out.count
        out.appendDecimal(record.site)
        if escape == .value(.site) { escapeOne(in: start..<out.count, of: &out) }
        out.append("\"")
    }

    private mutating func writeTimestamp(into out: inout ByteBuffer) {
        switch defect {
        case .leadingZero:
            // 0123, 00, -0123, -00: never valid JSON numbers.
            if rng.below(4) == 0 { out.append("-") }
            out.append("0"); out.appendDecimal(record.timestamp)
        case .fraction:
            out.appendDecimal(record.timestamp); out.append(pick(LineText.fractionSuffixes))
        case .outOfRange:
            out.append(pick(LineText.outOfRangeTimestamps))
        default:
            out.appendDecimal(record.timestamp)
        }
    }

    private mutating func writeData(into out: inout ByteBuffer) {
        if let oddData {
            out.append(oddData)
            return
        }
        out.append(open)
        if record.isStatus {
            out.append("\"status\""); out.append(colon); out.append("\"")
            let start = out.count
            if defect == .unknownStatus {
                out.append(pick(LineText.unknownStatuses))
            } else {
                out.append(record.online ? "online" : "offline")
            }
            if escape == .status { escapeOne(in: start..<out.count, of: &out) }
            out.append("\"")
            if flags.contains(.extraKeys) && rng.below(2) == 0 { out.append(comma); out.append(#""since":12"#) }
        } else {
            out.append("\"message\""); out.append(colon); out.append("\"")
            let start = out.count
            let words = 2 + rng.below(3)
            for w in 0..<words {
                if w > 0 { out.append(" ") }
                out.append(messageWords[rng.below(messageWords.count)])
            }
            if injectInMessage { injectDefectBytes(in: start..<out.count, of: &out) }
            out.append("\"")
        }
        out.append(close)
    }

    // MARK: - Defects applied to bytes

    /// Inserts invalid UTF-8 or a raw control character somewhere in a
    /// string's content (`range`), for the two defects that need it.
    private mutating func injectDefectBytes(in range: Range<Int>, of out: inout ByteBuffer) {
        let bad: [UInt8]
        switch defect {
        case .invalidUTF8: bad = pick(LineText.invalidUTF8)
        case .controlCharacter: bad = [pick(LineText.controlCharacters)]
        default: return
        }
        let at = range.lowerBound + rng.below(range.count + 1)
        out.insert(bad, at: at)
    }

    /// Truncation and trailing garbage work on the finished object.
    private mutating func finishDefect(openAt: Int, closeAt: Int, into out: inout ByteBuffer) {
        switch defect {
        case .truncated:
            // Keep the "{" and stop before the closing "}": a proper prefix of
            // an object never closes it, so the line cannot be valid (nor
            // blank, as it holds the "{").
            out.truncate(to: openAt + 1 + rng.below(closeAt - openAt))
        case .trailingGarbage:
            out.append(pick(LineText.trailingGarbage))
        default:
            break
        }
    }

    // MARK: - Helpers

    /// Writes one byte of a string's content (`range`) as a `\u00XX` escape.
    private mutating func escapeOne(in range: Range<Int>, of out: inout ByteBuffer) {
        guard !range.isEmpty else { return }
        let at = range.lowerBound + rng.below(range.count)
        // Only plain ASCII is escaped this way; message words are never a target.
        guard out[at] < 0x80 else { return }
        out.escapeByte(at: at, upperHex: rng.below(2) == 0)
    }

    private mutating func pick<T>(_ choices: [T]) -> T {
        choices[rng.below(choices.count)]
    }

    private mutating func shuffled(_ members: [Member]) -> [Member] {
        var result = members
        for i in stride(from: result.count - 1, to: 0, by: -1) {
            result.swapAt(i, rng.below(i + 1))
        }
        return result
    }
}
