import Testing
@testable import SitesumCore

@Suite struct CheckpointRecordsTests {
    /// A script with every kind of addition: names, UUID and other ids, both columns, both pair sets.
    func script(_ range: Range<Int>) -> EventScript {
        var script = EventScript()
        for i in range {
            let id = i % 3 == 0 ? "plain-\(i)" : uuid(i)
            if i % 5 == 0 {
                script.status(id, site: "s\(i % 7)", from: "op\(i % 4)", i % 2 == 0, at: Int64(i % 50))
            } else {
                script.message(id, site: "s\(i % 7)", from: "vis\(i % 11)", at: Int64(i % 50))
            }
        }
        return script
    }

    func uuid(_ i: Int) -> String {
        "00000000-0000-4000-8000-" + String(String(i, radix: 16).reversed()).padding(toLength: 12, withPad: "0", startingAt: 0)
    }

    func records(of state: ActivityState) throws -> [[UInt8]] {
        var records: [[UInt8]] = []
        try state.writeCheckpointRecords { records.append($0) }
        return records
    }

    /// A state loaded from `records`, reading the lines of `script` again to
    /// compare ids; id records go to the two lanes in turn.
    func load(_ records: [[UInt8]], lines script: EventScript, reserving: Int = 10_000, tagBits: Int = 16) throws -> ActivityState {
        let state = ActivityState()
        state.checkpointedIDs = CheckpointedIDs(reserving: reserving, tagBits: tagBits)
        state.checkpointedLines = { script.line(at: $0) }
        var idRecords = 0
        for record in records {
            try record.withUnsafeBytes { record in
                var lane = 0
                if ActivityState.isIDRecord(record) {
                    #expect(ActivityState.idCount(ofRecord: record) > 0)
                    lane = idRecords % 2
                    idRecords += 1
                }
                try state.applyCheckpointRecord(record, idLane: lane)
            }
        }
        try state.finishLoadingCheckpoint()
        state.markCheckpointed()
        return state
    }

    @Test func roundTrip() throws {
        let state = ActivityState()
        let all = script(0..<500)
        _ = all.apply(to: state)
        let loaded = try load(records(of: state), lines: all)
        #expect(loaded.summary() == state.summary())
        #expect(loaded.idCount == state.idCount)
        #expect(loaded.checkpointMismatch == nil)
    }

    @Test func incrementalChainEqualsFullState() throws {
        let state = ActivityState()
        var chain: [[UInt8]] = []
        let all = script(0..<900)
        for part in stride(from: 0, to: 900, by: 150) {
            var slice = EventScript()
            slice.entries = Array(all.entries[part..<(part + 150)])
            // Offsets as in `all`, so the loaded state finds each id's line there.
            for (index, entry) in slice.entries.enumerated() {
                var one = EventScript()
                one.entries = [entry]
                _ = one.apply(to: state, offset: UInt64((part + index) * 100))
            }
            chain += try records(of: state)
            state.markCheckpointed()
        }
        let loaded = try load(chain, lines: all)
        #expect(loaded.summary() == state.summary())
        #expect(try records(of: state).isEmpty)
    }

    /// A loaded state goes on exactly like the original: the ids it loaded
    /// are still recognised (by reading their lines again), new ones are new.
    /// With no tag bits every lookup compares the ids of a whole probe run.
    @Test(arguments: [16, 4, 0])
    func aLoadedStateRecognisesItsIDs(tagBits: Int) throws {
        let before = script(0..<600)
        let state = ActivityState(tracksChanges: true)
        _ = before.apply(to: state)
        let loaded = try load(records(of: state), lines: before, tagBits: tagBits)
        #expect(before.apply(to: loaded).allSatisfy { !$0 })
        #expect(loaded.checkpointMismatch == nil)
        var after = EventScript()
        after.entries = script(600..<700).entries
        let fresh = ActivityState(tracksChanges: true)
        _ = before.apply(to: fresh)
        fresh.markCheckpointed()
        #expect(after.apply(to: loaded, offset: 60_000) == after.apply(to: fresh, offset: 60_000))
        #expect(loaded.summary() == fresh.summary())
        // Only the new ids are written for the next checkpoint.
        #expect(try records(of: loaded) == records(of: fresh))
    }

    /// A line that no longer carries the id the checkpoint recorded for it
    /// (the input changed under the checkpoint) is reported, not trusted.
    @Test func aChangedLineIsAMismatch() throws {
        var before = EventScript()
        before.message(uuid(1), from: "v", at: 1)
        let state = ActivityState(tracksChanges: true)
        _ = before.apply(to: state)
        let loaded = try load(records(of: state), lines: before)
        loaded.checkpointedLines = { _ in Array(#"{"id":"plain","type":"message","from":"v","site_id":"1","timestamp":1}"#.utf8) }
        var again = EventScript()
        again.message(uuid(1), from: "v", at: 2)
        _ = again.apply(to: loaded, offset: 500)
        #expect(loaded.checkpointMismatch != nil)
    }

    @Test func moreIDsThanReservedAreRejected() throws {
        let state = ActivityState()
        let all = script(0..<100)
        _ = all.apply(to: state)
        #expect(throws: DecodingError.self) { try load(records(of: state), lines: all, reserving: 10) }
    }

    @Test func recordsOutOfOrderOrRepeatedAreRejected() throws {
        let state = ActivityState()
        let all = script(0..<100)
        _ = all.apply(to: state)
        let records = try records(of: state)
        #expect(throws: DecodingError.self) { try load(records + records, lines: all) }
        #expect(throws: DecodingError.self) { try load(Array(records.reversed()), lines: all) }
        #expect(throws: DecodingError.self) { try load([[99]], lines: all) }
        for record in records {
            #expect(throws: DecodingError.self) { try load([record + [0]], lines: all) }
        }
    }

    /// The fingerprint is part of the checkpoint format (`UUIDKey.fingerprint`):
    /// a change to the hash behind it must come with a new format version.
    @Test func fingerprintsArePinned() throws {
        func fingerprint(_ text: String) throws -> UInt32 {
            let key = try #require(Array(text.utf8).withUnsafeBytes { UUIDText.parse($0) })
            return key.fingerprint
        }
        #expect(try fingerprint("7f360d94-ecae-4d8e-a26a-e11cea7bde2b") == 0xB4F1_C0E1)
        #expect(try fingerprint("00000000-0000-0000-0000-000000000000") == 0)
    }
}
