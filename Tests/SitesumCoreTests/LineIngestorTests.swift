import Testing
@testable import SitesumCore

@Suite struct LineIngestorTests {
    let line = #"{"id":"a","type":"message","from":"v","site_id":"1","timestamp":1}"#

    @Test func byteOrderMarkOnlyAtTheStartOfTheFile() {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let input = bom + Array("\(line)\n".utf8) + bom + Array(line.replacingOccurrences(of: "\"a\"", with: "\"b\"").utf8)
        let state = InMemoryRun.state(of: input)
        #expect(state.tally.events == 1)
        #expect(state.tally.malformed == 1)
        #expect(state.tally.firstMalformed.first?.line == 2)
    }

    @Test func crlfBlankAndWhitespaceLines() {
        let input = Array("\(line)\r\n\r\n   \n\t\r\n\n".utf8)
        let state = InMemoryRun.state(of: input)
        #expect(state.tally.lines == 5)
        #expect(state.tally.blank == 4)
        #expect(state.tally.events == 1)
        #expect(state.tally.nonBlank == 1)
    }

    @Test func lastLineWithoutNewlineCounts() {
        #expect(InMemoryRun.summary(of: Array(line.utf8)) == "1,messages=0,emails=1,operators=0,visitors=1\n")
    }

    @Test func tallyAndReportsAcrossOutcomes() {
        var ingestor = LineIngestor(state: ActivityState())
        let outcomes: [LineOutcome] = [line, line, "{", ""].enumerated().map { index, text in
            Array(text.utf8).withUnsafeBytes { ingestor.ingest($0, at: UInt64(index * 100)) }
        }
        #expect(outcomes[0] == .counted)
        #expect(outcomes[1] == .duplicate)
        if case .malformed = outcomes[2] {} else { Issue.record("expected malformed, got \(outcomes[2])") }
        #expect(outcomes[3] == .blank)
        #expect(ingestor.ingestTooLong(at: 400, length: 5000, limit: 1000) != .counted)
        let tally = ingestor.state.tally
        #expect(tally.lines == 5 && tally.events == 1 && tally.duplicates == 1 && tally.malformed == 2 && tally.blank == 1)
        #expect(tally.firstMalformed.map(\.line) == [3, 5])
        #expect(tally.firstMalformed.map(\.offset) == [200, 400])
        #expect(tally.firstMalformed[1].reason.contains("over the limit of 1000"))
    }

    @Test func onlyTheFirstReportsAreKept() {
        var ingestor = LineIngestor(state: ActivityState())
        for index in 0..<25 {
            _ = Array("x".utf8).withUnsafeBytes { ingestor.ingest($0, at: UInt64(index * 2)) }
        }
        #expect(ingestor.state.tally.malformed == 25)
        #expect(ingestor.state.tally.firstMalformed.count == Tally.reportLimit)
    }
}
