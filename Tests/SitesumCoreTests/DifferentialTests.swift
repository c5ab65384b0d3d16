@testable import SitesumCore
import SitesumGenerator
import Testing

/// The real engine against the reference model on many generated inputs.
/// Small inputs use few sites, operators and visitors and short time spans,
/// so that ties, duplicates and id collisions are frequent — the cases the
/// rules of SPEC.md are about. A mismatch names the options (seed included)
/// to regenerate the input and the first differing output line.
@Suite struct DifferentialTests {
    // MARK: - Inputs

    /// Options for small case `n`: 1–3000 lines, 1–12 sites, 1–3 operators,
    /// 1–30 visitors, spans of 1–50 seconds, generous defect rates.
    static func smallOptions(_ n: Int) -> GeneratorOptions {
        var mix = Mix(n)
        var options = GeneratorOptions(lines: 1 + mix.below(3000))
        options.seed = UInt64(n) &+ 1000
        options.sites = 1 + mix.below(12)
        options.operators = 1 + mix.below(3)
        options.visitors = 1 + mix.below(30)
        options.span = Int64(1 + mix.below(50))
        options.duplicateRate = Double(mix.below(31)) / 100  // 0 ... 0.30
        options.malformedRate = Double(mix.below(21)) / 100  // 0 ... 0.20
        return options
    }

    /// Options for larger case `n`: closer to real logs, still tie-prone.
    static func largerOptions(_ n: Int) -> GeneratorOptions {
        GeneratorOptions(lines: 30_000 + 10_000 * n, seed: 90_000 + UInt64(n), sites: 40, operators: 3,
                         visitors: 200, span: 600, duplicateRate: 0.05, malformedRate: 0.01)
    }

    // MARK: - Tests

    @Test(arguments: 0..<300)
    func smallInputsAgree(_ n: Int) {
        let options = Self.smallOptions(n)
        Self.expectAgreement(on: LogGenerator(options: options).bytes(), options: options, what: "input")
    }

    @Test(arguments: 0..<3)
    func largerInputsAgree(_ n: Int) {
        let options = Self.largerOptions(n)
        Self.expectAgreement(on: LogGenerator(options: options).bytes(), options: options, what: "input")
    }

    /// Sites on both sides of `ActivityState.smallSiteMessages`: one to
    /// three sites over thousands of lines, so that some are counted whole
    /// and some through a timeline in slices.
    @Test(arguments: 0..<4)
    func sitesSmallAndBusyAgree(_ n: Int) {
        let options = GeneratorOptions(lines: 5_000 + 3_000 * n, seed: 70_000 + UInt64(n), sites: 1 + n % 3,
                                       operators: 3, visitors: 50, span: 400, duplicateRate: 0.02, malformedRate: 0.01)
        let bytes = LogGenerator(options: options).bytes()
        Self.expectAgreement(on: bytes, options: options, what: "input")
        // The generator favours the first site: it is the busy one.
        let state = InMemoryRun.state(of: bytes)
        let messages = state.activity.map(\.messageTimestamps.count)
        #expect(messages.contains { $0 > ActivityState.smallSiteMessages })
        #expect(options.sites == 1 || messages.contains { $0 <= ActivityState.smallSiteMessages })
    }

    /// A log of many sites and visitors, decoded in whole batches and
    /// applied line by line as the command line does: its name tables
    /// outgrow `ActivityState.namePrefetchSlots`, so applying prefetches
    /// names, records and pairs of the lines ahead.
    @Test func manySitesAgreeThroughBatches() {
        let options = GeneratorOptions(lines: 60_000, seed: 71_000, sites: 25_000, operators: 2, visitors: 3,
                                       span: 300, duplicateRate: 0.05, malformedRate: 0.01)
        let bytes = LogGenerator(options: options).bytes()
        let ingestor = LineIngestor(state: ActivityState())
        var prefetched = false
        var start = 0
        while start < bytes.count {
            // Batches of about 4,000 lines, cut at a line's end.
            var end = min(bytes.count, start + 600_000)
            while end < bytes.count && bytes[end - 1] != UInt8(ascii: "\n") { end += 1 }
            let batch = DecodedBatch()
            bytes.withUnsafeBytes { batch.stageLines(UnsafeRawBufferPointer(rebasing: $0[start..<end]), start: UInt64(start)) }
            batch.decodeStaged(limit: 1 << 20)
            prefetched = prefetched || ingestor.state.prefetchesNames
            for index in 0..<batch.count { _ = ingestor.apply(batch, at: index) }
            start = end
        }
        #expect(prefetched, "the name tables never grew past the prefetch threshold")
        let actual = String(decoding: ingestor.state.summaryText(), as: UTF8.self)
        let expected = ReferenceModel.summary(of: bytes)
        #expect(actual == expected, "engine and reference disagree for \(options): \(Self.firstDifference(expected, actual))")
        // Written in pieces, as a summary of more sites is, on several threads.
        for pieces in [2, 3, 7] {
            let text = String(decoding: ingestor.state.summaryText(pieces: pieces), as: UTF8.self)
            #expect(text == expected, "\(pieces) pieces: \(Self.firstDifference(expected, text))")
        }
    }

    /// Appending the whole input to itself makes every valid line of the
    /// copy a duplicate (and every malformed one still malformed), so the
    /// summary must not change.
    @Test(arguments: 0..<40)
    func inputFollowedByItselfGivesTheSameSummary(_ n: Int) {
        let options = Self.smallOptions(n)
        let bytes = LogGenerator(options: options).bytes()
        let doubled = bytes + bytes
        #expect(ReferenceModel.summary(of: doubled) == ReferenceModel.summary(of: bytes),
                "reference: doubling changed the summary for \(options)")
        Self.expectAgreement(on: doubled, options: options, what: "input followed by itself")
    }

    // MARK: - Comparing

    static func expectAgreement(
        on bytes: [UInt8], options: GeneratorOptions, what: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let expected = ReferenceModel.summary(of: bytes)
        let actual = InMemoryRun.summary(of: bytes)
        if actual != expected {
            Issue.record(
                "engine and reference disagree on the \(what) for \(options): \(firstDifference(expected, actual))",
                sourceLocation: sourceLocation)
        }
        // The entries the library returns, printed, are the text the command line prints.
        let entries = String(decoding: InMemoryRun.state(of: bytes).summary().text, as: UTF8.self)
        if entries != actual {
            Issue.record("summary() and summaryText() differ on the \(what) for \(options): \(firstDifference(actual, entries))",
                         sourceLocation: sourceLocation)
        }
    }

    /// "line N: reference X, engine Y" for the first output line that differs.
    static func firstDifference(_ expected: String, _ actual: String) -> String {
        let want = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let got = actual.split(separator: "\n", omittingEmptySubsequences: false)
        for index in 0..<max(want.count, got.count) {
            let a = index < want.count ? String(want[index]) : "<none>"
            let b = index < got.count ? String(got[index]) : "<none>"
            if a != b { return "line \(index + 1): reference \(a.debugDescription), engine \(b.debugDescription)" }
        }
        return "outputs differ only in bytes the line split hides"
    }

    /// SplitMix64 over the case number: spreads options over their ranges
    /// without depending on the generator's own random streams.
    struct Mix {
        var state: UInt64
        init(_ n: Int) { state = UInt64(n) &* 0x9E37_79B9_7F4A_7C15 }
        mutating func below(_ n: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return Int(z % UInt64(n))
        }
    }
}
