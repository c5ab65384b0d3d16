import SitesumCore
import Testing
@testable import SitesumCLI

@Suite struct CheckpointMetadataTests {
    @Test func roundTrip() throws {
        var tally = Tally()
        tally.lines = 10
        tally.blank = 1
        tally.events = 6
        tally.duplicates = 2
        tally.malformed = 1
        tally.firstMalformed = [MalformedLine(line: 4, offset: 300, reason: "column 3: unterminated string")]
        for summary in [nil, Array("1,messages=1,emails=0,operators=1,visitors=1\n".utf8)] {
            let metadata = CheckpointMetadata(maxLineLength: 4096, tally: tally, summary: summary)
            #expect(try CheckpointMetadata.decode(metadata.encoded()) == metadata)
        }
        let leftOut = CheckpointMetadata(maxLineLength: 4096, tally: tally, summary: nil, summaryLeftOut: true)
        #expect(try CheckpointMetadata.decode(leftOut.encoded()) == leftOut)
        #expect(leftOut.encoded().last == 2)
    }

    @Test func rejectsAnUnknownSummaryFlag() {
        var bytes = CheckpointMetadata(maxLineLength: 64, tally: Tally(), summary: nil).encoded()
        bytes[bytes.count - 1] = 3
        #expect(throws: DecodingError.self) { try CheckpointMetadata.decode(bytes) }
    }

    @Test func rejectsOtherVersionsAndTruncation() {
        let bytes = CheckpointMetadata(maxLineLength: 64, tally: Tally(), summary: nil).encoded()
        var future = bytes
        future[0] = 2
        #expect(throws: DecodingError.self) { try CheckpointMetadata.decode(future) }
        for length in 0..<bytes.count {
            #expect(throws: DecodingError.self) { try CheckpointMetadata.decode(Array(bytes[..<length])) }
        }
        #expect(throws: DecodingError.self) { try CheckpointMetadata.decode(bytes + [0]) }
    }
}
