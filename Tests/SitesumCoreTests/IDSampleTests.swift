import SitesumGenerator
import Testing
@testable import SitesumCore

/// How a run sizes its two id sets from the start of the input ahead
/// (`IDSample`, `ActivityState.reserveIDs(additional:sample:)`).
@Suite struct IDSampleTests {
    func sample(_ text: String, start: UInt64 = 0) -> IDSample {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { IDSample.read($0, start: start) }
    }

    func line(id: String, type: String = "message") -> String {
        let data = type == "status" ? ",\"data\":{\"status\":\"online\"}" : ""
        return "{\"id\":\"\(id)\",\"type\":\"\(type)\",\"from\":\"v\",\"site_id\":\"1\",\"timestamp\":5\(data)}\n"
    }

    let uuid = "7f360d94-ecae-4d8e-a26a-e11cea7bde2b"

    /// Events are counted by the kind of their id, the other ids' bytes as
    /// decoded; blank and malformed lines count for neither, nor does a
    /// last line the sample cut before its "\n".
    @Test func countsTheEventsOfEachKindOfId() {
        let text = line(id: uuid) + line(id: uuid, type: "status") + "\n  \n" + "{\"id\":\"x\"}\n"
            + line(id: "evt-1") + line(id: "\\u0065vt-22") + line(id: uuid.uppercased())
            + line(id: "cut-short").dropLast()
        #expect(sample(text) == IDSample(uuids: 2, others: 3, otherBytes: 5 + 6 + 36))
        #expect(sample("") == IDSample())
        #expect(sample(String(line(id: uuid).dropLast())) == IDSample())
    }

    /// A byte-order mark is skipped at the start of the input only, as a
    /// run skips it; elsewhere it makes the line malformed.
    @Test func aByteOrderMarkIsSkippedAtTheStartOnly() {
        let text = "\u{FEFF}" + line(id: "evt-1")
        #expect(sample(text, start: 0) == IDSample(others: 1, otherBytes: 5))
        #expect(sample(text, start: 4096) == IDSample())
    }

    /// Only the first `decodedBytes` are decoded: a line that ends past
    /// them is not read.
    @Test func decodesOnlyTheFirstBytesOfALongSample() {
        let one = line(id: "evt-1")
        let fitting = IDSample.decodedBytes / one.utf8.count
        let text = String(repeating: one, count: fitting + 100)
        #expect(sample(text) == IDSample(others: fitting, otherBytes: 5 * fitting))
    }

    /// A log of other ids reserves the interner, whose slots then never
    /// grow while its ids come, and leaves the UUID set as small as it was.
    @Test func otherIdsAreReservedInTheInternerNotTheUUIDSet() {
        let state = ActivityState(tracksChanges: false)
        let empty = state.uuids.capacity
        state.reserveIDs(additional: 10_000, sample: IDSample(others: 40, otherBytes: 40 * 12))
        #expect(state.uuids.capacity == empty)
        let slots = state.otherIDs.slotCount
        #expect(slots >= 10_000 * 4 / 3)
        #expect(state.otherIDs.arena.capacity >= 10_000 * 12)
        var text = ""
        for index in 0..<10_000 { text += line(id: "order-\(100_000 + index)") }
        var ingestor = LineIngestor(state: state)
        InMemoryRun.forEachLine(of: Array(text.utf8)) { line, offset in _ = ingestor.ingest(line, at: offset) }
        #expect(state.otherIDs.count == 10_000 && state.otherIDs.slotCount == slots)
    }

    /// Like the UUID set, the interner is reserved for no more ids than
    /// half the machine's memory holds: a huge log of long ids, most of
    /// them repeated, still runs, its interner growing as it fills.
    @Test func otherIdsAreReservedInHalfTheMemoryAtMost() {
        let state = ActivityState(tracksChanges: false)
        let memory = UInt64(2 * (40 + 8 + 16) * 1_000)
        #expect(ActivityState.reservableOtherIDs(ofLength: 40, inBytes: memory / 2) == 1_000)
        state.reserveIDs(additional: 1_000_000, sample: IDSample(others: 10, otherBytes: 10 * 40), memory: memory)
        #expect(state.otherIDs.slotCount == 2_048)
        #expect(state.otherIDs.arena.capacity < 2 * 40 * 1_000)
        let unbounded = ActivityState(tracksChanges: false)
        unbounded.reserveIDs(additional: 1_000_000, sample: IDSample(others: 10, otherBytes: 10 * 40))
        #expect(unbounded.otherIDs.slotCount == 2_097_152)
    }

    /// Mixed ids split the count by their shares in the sample; a sample
    /// without events reserves the UUID set for all, as before there was
    /// a sample.
    @Test func aMixedSampleSplitsTheCountAndAnEmptyOneGivesAllToUUIDs() {
        let mixed = ActivityState(tracksChanges: false)
        mixed.reserveIDs(additional: 100_000, sample: IDSample(uuids: 3, others: 1, otherBytes: 20))
        #expect(mixed.uuids.capacity == FlatSet<UUIDKey>.capacity(for: 75_000))
        #expect(mixed.otherIDs.slotCount >= 25_000 * 4 / 3 && mixed.otherIDs.slotCount < 25_000 * 4 / 3 * 2)
        let none = ActivityState(tracksChanges: false)
        none.reserveIDs(additional: 100_000, sample: IDSample())
        #expect(none.uuids.capacity == FlatSet<UUIDKey>.capacity(for: 100_000))
        #expect(none.otherIDs.slotCount == Interner().slotCount)
    }
}
