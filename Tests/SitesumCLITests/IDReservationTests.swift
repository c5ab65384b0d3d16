import SitesumCore
import Testing
@testable import SitesumCLI

/// How many ids a run sizes its id set for (`Runner.expectedIDs`), from the
/// bytes ahead and a sample of them.
@Suite struct IDReservationTests {
    /// Lines of the benchmark's length: as many ids as lines ahead.
    @Test func typicalLinesGiveTheirCount() {
        let expected = Runner.expectedIDs(remaining: 1_526_974_962, sampled: 1 << 20, newlines: 6_867, memory: 24 << 30)
        #expect(expected > 9_900_000 && expected < 10_100_000, "\(expected)")
    }

    /// A sample of blank lines (one byte each) or of short junk would size
    /// the set for a line every byte or two; no input brings more ids than
    /// it holds lines of the shortest length that carries one.
    @Test(arguments: [(1 << 20, 1 << 20), (1 << 20, 1 << 19), (1 << 20, 20_000), (100, 100), (1, 0)])
    func shortLinesAreCountedAsTheShortestThatBringsAnID(sampled: Int, newlines: Int) {
        let remaining: UInt64 = 46_860_849
        let bound = Int(remaining) / ActivityState.shortestLineWithUUID + 2
        #expect(Runner.expectedIDs(remaining: remaining, sampled: sampled, newlines: newlines, memory: 0) <= bound)
    }

    /// A sample without a line end (one long line, or the end of the
    /// input) counts as one line of its length, or the shortest.
    @Test func aSampleWithoutLineEndsCountsAsOneLine() {
        #expect(Runner.expectedIDs(remaining: 1 << 20, sampled: 1 << 20, newlines: 0, memory: 0) == 2)
        #expect(Runner.expectedIDs(remaining: 990, sampled: 50, newlines: 0, memory: 0) == 11)
    }

    /// A log that would need a set bigger than half the machine's memory
    /// has one sized for half of it, which grows as it fills: 100 GB of
    /// typical lines on a machine of 1 GiB, 16-byte slots at 72% load.
    @Test func noMoreThanHalfTheMemoryIsReserved() {
        let memory: UInt64 = 1 << 30
        let capped = Runner.expectedIDs(remaining: 100_000_000_000, sampled: 1 << 20, newlines: 6_867, memory: memory)
        #expect(capped == ActivityState.reservableIDs(inBytes: memory / 2))
        #expect(capped > 24_000_000 && capped < 24_200_000, "\(capped)")
        #expect(Runner.expectedIDs(remaining: 100_000_000_000, sampled: 1 << 20, newlines: 6_867, memory: 0) > 600_000_000)
    }
}
