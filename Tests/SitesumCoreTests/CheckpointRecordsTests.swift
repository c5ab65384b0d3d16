import Testing
@testable import SitesumCore

@Suite struct CheckpointRecordsTests {
    /// A script with every kind of addition: names, UUID and other ids, both columns, both pair sets.
    func script(_ range: Range<Int>) -> EventScript {
        var script = EventScript()
        for i in range {
            let uuid = "00000000-0000-4000-8000-" + String(String(i, radix: 16).reversed()).padding(toLength: 12, withPad: "0", startingAt: 0)
            let id = i % 3 == 0 ? "plain-\(i)" : uuid
            if i % 5 == 0 {
                script.status(id, site: "s\(i % 7)", from: "op\(i % 4)", i % 2 == 0, at: Int64(i % 50))
            } else {
                script.message(id, site: "s\(i % 7)", from: "vis\(i % 11)", at: Int64(i % 50))
            }
        }
        return script
    }

    func records(of state: ActivityState, full: Bool) throws -> [[UInt8]] {
        var records: [[UInt8]] = []
        try state.writeCheckpointRecords(full: full) { records.append($0) }
        return records
    }

    func load(_ records: [[UInt8]]) throws -> ActivityState {
        let state = ActivityState()
        for record in records {
            try record.withUnsafeBytes { try state.applyCheckpointRecord($0) }
        }
        state.markCheckpointed()
        return state
    }

    @Test func fullRoundTrip() throws {
        let state = ActivityState()
        _ = script(0..<500).apply(to: state)
        let loaded = try load(records(of: state, full: true))
        #expect(loaded.summary() == state.summary())
        #expect(loaded.idCount == state.idCount)
    }

    @Test func incrementalChainEqualsFullState() throws {
        let state = ActivityState()
        var chain: [[UInt8]] = []
        let all = script(0..<900)
        for part in stride(from: 0, to: 900, by: 150) {
            var slice = EventScript()
            slice.entries = Array(all.entries[part..<(part + 150)])
            _ = slice.apply(to: state)
            chain += try records(of: state, full: false)
            state.markCheckpointed()
        }
        let loaded = try load(chain)
        #expect(loaded.summary() == state.summary())
        // A loaded state goes on exactly like the original: duplicates are still recognised.
        #expect(script(0..<900).apply(to: loaded).allSatisfy { !$0 })
        let nothingNew = try records(of: state, full: false)
        #expect(nothingNew.isEmpty)
    }

    @Test func recordsOutOfOrderOrRepeatedAreRejected() throws {
        let state = ActivityState()
        _ = script(0..<100).apply(to: state)
        let records = try records(of: state, full: true)
        #expect(throws: DecodingError.self) { try load(records + records) }
        #expect(throws: DecodingError.self) { try load(Array(records.reversed())) }
        #expect(throws: DecodingError.self) { try load([[99]]) }
        for record in records {
            #expect(throws: DecodingError.self) { try load([record + [0]]) }
        }
    }
}
