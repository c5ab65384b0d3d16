/// The generator's state between lines: the random stream, the recent events
/// that duplicates copy, ids promised by malformed lines, and which defect
/// comes next. `writeLine` decides what the next line is and writes it.
struct LineSource {
    private var rng: Xoshiro256

    private let sites: UInt64
    private let operators: UInt64
    private let visitors: UInt64
    private let span: UInt64

    // Cumulative thresholds on one random word: below the first, the line is
    // malformed; below the second, a duplicate; below the third, blank.
    private let malformedBelow: UInt64
    private let duplicateBelow: UInt64
    private let blankBelow: UInt64

    /// Recent first-occurrence events, overwritten round robin. Bounded, so
    /// memory does not grow with the log.
    private var ring: [EventRecord] = []
    private var ringNext = 0
    private static let ringCapacity = 4096

    /// Ids written on malformed lines that the next fresh events will use:
    /// a malformed line never claims an id, so the later valid line must
    /// count. Bounded too.
    private var pendingIDs: [(UInt64, UInt64)] = []
    private static let pendingCapacity = 8

    private var nextDefect = 0

    /// Fraction of lines that are blank (or whitespace only).
    static let blankRate = 0.003
    /// One event in `statusOneIn` is a status event.
    static let statusOneIn: UInt64 = 10
    /// One duplicate in `conflictingOneIn` has the same id but other content;
    /// the rest are exact retransmits.
    static let conflictingOneIn: UInt64 = 5

    init(options: GeneratorOptions) {
        rng = Xoshiro256(seed: options.seed)
        sites = UInt64(max(1, options.sites))
        operators = UInt64(max(1, options.operators))
        visitors = UInt64(max(1, options.visitors))
        span = UInt64(max(1, options.span))
        let (m, d, b) = (
            UInt64.threshold(forRate: options.malformedRate),
            UInt64.threshold(forRate: options.duplicateRate),
            UInt64.threshold(forRate: Self.blankRate)
        )
        malformedBelow = m
        duplicateBelow = Self.saturatingAdd(m, d)
        blankBelow = Self.saturatingAdd(duplicateBelow, b)
        ring.reserveCapacity(Self.ringCapacity)
    }

    /// Appends the next line (with its line end) and says what it is.
    mutating func writeLine(into out: inout ByteBuffer) -> GeneratedLineKind {
        let u = rng.next()
        if u < malformedBelow { return writeMalformed(into: &out) }
        if u < duplicateBelow, !ring.isEmpty { return writeDuplicate(into: &out) }
        if u >= duplicateBelow && u < blankBelow { return writeBlank(into: &out) }
        var record = freshRecord()
        if !pendingIDs.isEmpty {
            (record.idHigh, record.idLow) = pendingIDs.removeFirst()
        }
        var renderer = LineRenderer(record: record, defect: nil)
        renderer.write(into: &out)
        remember(record)
        return .event
    }

    private mutating func writeDuplicate(into out: inout ByteBuffer) -> GeneratedLineKind {
        let original = ring[Int(rng.below(UInt64(ring.count)))]
        var record = original
        if rng.below(Self.conflictingOneIn) == 0 {
            // Same id, anything else: another site, sender, time, type.
            record = freshRecord()
            (record.idHigh, record.idLow) = (original.idHigh, original.idLow)
        }
        var renderer = LineRenderer(record: record, defect: nil)
        renderer.write(into: &out)
        return .duplicate
    }

    private mutating func writeMalformed(into out: inout ByteBuffer) -> GeneratedLineKind {
        let defect = Defect.allCases[nextDefect]
        nextDefect = (nextDefect + 1) % Defect.allCases.count
        var record = freshRecord()
        if defect.needsStatus && !record.isStatus {
            record.isStatus = true
            record.sender = rng.below(operators) + 1
        }
        switch rng.below(4) {
        case 0, 1:
            // Promise this id to a later valid line.
            if pendingIDs.count < Self.pendingCapacity {
                pendingIDs.append((record.idHigh, record.idLow))
            }
        case 2 where !ring.isEmpty:
            // An id some valid line already claimed.
            let claimed = ring[Int(rng.below(UInt64(ring.count)))]
            (record.idHigh, record.idLow) = (claimed.idHigh, claimed.idLow)
        default:
            break
        }
        var renderer = LineRenderer(record: record, defect: defect)
        renderer.write(into: &out)
        return .malformed
    }

    private mutating func writeBlank(into out: inout ByteBuffer) -> GeneratedLineKind {
        switch rng.below(5) {
        case 0: out.append(" \n")
        case 1: out.append("\t \n")
        case 2: out.append("\r\n")
        default: out.append("\n")
        }
        return .blank
    }

    /// A new random event. Each field is drawn independently — timestamps
    /// included, which is what makes the file unordered without a global
    /// shuffle.
    private mutating func freshRecord() -> EventRecord {
        let isStatus = rng.below(Self.statusOneIn) == 0
        let site = rng.skewed(sites, power: 3) + 1
        let sender = isStatus ? rng.below(operators) + 1 : rng.skewed(visitors, power: 2) + 1
        let online = rng.next() & 1 == 1
        let timestamp = Int64(rng.below(span))
        let (high, low) = EventRecord.uuidBits(rng.next(), rng.next())
        let style = LineStyle.random(flagBits: rng.next(), seed: rng.next())
        return EventRecord(
            idHigh: high, idLow: low, isStatus: isStatus, online: online,
            site: site, sender: sender, timestamp: timestamp, style: style)
    }

    private mutating func remember(_ record: EventRecord) {
        if ring.count < Self.ringCapacity {
            ring.append(record)
        } else {
            ring[ringNext] = record
            ringNext = (ringNext + 1) % Self.ringCapacity
        }
    }

    private static func saturatingAdd(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? .max : sum
    }
}
