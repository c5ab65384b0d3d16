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

    /// The column records of a checkpoint: for each tag, the sites its
    /// records name (a site once for each record that holds values of it).
    func columnSites(_ records: [[UInt8]]) throws -> [ActivityState.RecordTag: [Int]] {
        var sites: [ActivityState.RecordTag: [Int]] = [:]
        for record in records {
            try record.withUnsafeBytes { raw in
                var reader = ByteReader(raw)
                let tag = ActivityState.RecordTag(rawValue: try reader.read(UInt8.self))!
                switch tag {
                case .messages, .statuses:
                    sites[tag, default: []].append(Int(try reader.read(UInt32.self)))
                case .messagesOfSites, .statusesOfSites:
                    for _ in 0..<(try reader.read(UInt32.self)) {
                        sites[tag, default: []].append(Int(try reader.readVarint()))
                        _ = try reader.readVarint()
                        _ = try reader.readVarint()
                    }
                default:
                    break
                }
            }
        }
        return sites
    }

    /// Columns of many sites: the new statuses and the message timestamps
    /// not yet packed of all sites share records (split where one fills,
    /// a site's values between two), and busy sites' packed blocks go out
    /// one a record. Loaded, they make the same state, which goes on to
    /// write the same next checkpoint.
    @Test func columnsOfManySitesShareRecords() throws {
        var script = EventScript()
        // 400 sites × 400 messages (more than a shared record holds in
        // all, 3,000 statuses of one site too (more than one holds of
        // statuses), and one site with enough messages to pack blocks.
        for i in 0..<160_000 {
            script.message(uuid(i), site: "s\(i % 400)", from: "v\(i % 3)", at: Int64(i % 86_400))
        }
        for i in 0..<60_000 {
            script.status(uuid(200_000 + i), site: "s7", from: "op\(i % 5)", i % 3 == 0, at: Int64(i % 1_000))
        }
        for i in 0..<70_000 {
            script.message(uuid(300_000 + i), site: "busy", from: "v", at: Int64(i))
        }
        let state = ActivityState(tracksChanges: true)
        _ = script.apply(to: state)
        let written = try records(of: state)
        let sites = try columnSites(written)
        let busy = Int(state.sites.count - 1)
        #expect(Set(sites[.messages] ?? []) == [busy])
        #expect(sites[.statuses] == nil)
        // Every other site is in the shared records; one split between two
        // records appears twice.
        let shared = sites[.messagesOfSites] ?? []
        #expect(Set(shared) == Set(0..<400))
        #expect(shared.count == 401)
        #expect((sites[.statusesOfSites] ?? []).allSatisfy { $0 == 7 } && (sites[.statusesOfSites] ?? []).count == 2)
        let loaded = try load(written, lines: script, reserving: 300_000)
        #expect(loaded.summary() == state.summary())
        state.markCheckpointed()
        var more = EventScript()
        more.message(uuid(900_000), site: "s3", from: "v9", at: 5)
        more.status(uuid(900_001), site: "s7", from: "op1", true, at: 5)
        #expect(more.apply(to: loaded, offset: 90_000_000) == more.apply(to: state, offset: 90_000_000))
        #expect(try records(of: loaded) == records(of: state))
    }

    /// A checkpoint writes the columns of the sites that changed since the
    /// one before, and no other, in the order of the sites' indices; and
    /// the new pairs by site too.
    @Test func onlyTheSitesThatChangedAreWritten() throws {
        var script = EventScript()
        for i in 0..<1_000 {
            script.message(uuid(i), site: "s\(i)", from: "v", at: 1)
            script.status(uuid(10_000 + i), site: "s\(i)", from: "op", true, at: 1)
        }
        let state = ActivityState(tracksChanges: true)
        _ = script.apply(to: state)
        #expect(try columnSites(records(of: state))[.messagesOfSites] == Array(0..<1_000))
        state.markCheckpointed()
        var more = EventScript()
        more.message(uuid(20_000), site: "s500", from: "v", at: 2)
        more.status(uuid(20_001), site: "s3", from: "op", false, at: 2)
        more.message(uuid(20_002), site: "s3", from: "v", at: 2)
        more.message(uuid(20_003), site: "s200", from: "w", at: 2)
        more.message(uuid(20_004), site: "s100", from: "w", at: 2)
        more.message(uuid(20_005), site: "s200", from: "x", at: 2)
        _ = more.apply(to: state, offset: 5_000_000)
        let written = try records(of: state)
        let sites = try columnSites(written)
        #expect(sites[.messagesOfSites] == [3, 100, 200, 500])
        #expect(sites[.statusesOfSites] == [3])
        let pairs = try written.filter { $0.first == ActivityState.RecordTag.visitorPairs.rawValue }.flatMap { record in
            try record.withUnsafeBytes { raw in
                var reader = ByteReader(raw)
                _ = try reader.read(UInt8.self)
                return try (0..<reader.read(UInt32.self)).map { _ in PairKey(try reader.read(UInt64.self)) }
            }
        }
        // New pairs: (200, w), (100, w), (200, x) in the order they came; by site, each site's in that order.
        #expect(pairs.map(\.site) == [100, 200, 200])
        #expect(pairs.map(\.person) == [2, 2, 3].map { UInt32($0) })
        state.markCheckpointed()
        #expect(try records(of: state).isEmpty)
    }

    /// Damage inside a record of several sites' columns is reported: a site
    /// out of range, values out of order, a count of entries or values
    /// larger than the record.
    @Test func damagedSharedRecordsAreRejected() throws {
        var script = EventScript()
        script.message(uuid(1), site: "a", from: "v", at: 1)
        script.message(uuid(2), site: "b", from: "v", at: 2)
        let state = ActivityState(tracksChanges: true)
        _ = script.apply(to: state)
        let records = try records(of: state)
        let shared = try #require(records.firstIndex { $0.first == ActivityState.RecordTag.messagesOfSites.rawValue })
        // Tag, two entries (site 0, first 0, one value; site 1, first 0, one value), then the values.
        #expect(Array(records[shared][0..<11]) == [9, 2, 0, 0, 0, 0, 0, 1, 1, 0, 1])
        func damaged(_ change: (inout [UInt8]) -> Void) -> [[UInt8]] {
            var copy = records
            change(&copy[shared])
            return copy
        }
        #expect(throws: Never.self) { try load(records, lines: script) }
        #expect(throws: DecodingError.self) { try load(damaged { $0[8] = 9 }, lines: script) }  // site 9 of 2
        #expect(throws: DecodingError.self) { try load(damaged { $0[9] = 1 }, lines: script) }  // first 1 of a new column
        #expect(throws: DecodingError.self) { try load(damaged { $0[8] = 0 }, lines: script) }  // site 0 twice, the second out of order
        #expect(throws: DecodingError.self) { try load(damaged { $0[1] = 200 }, lines: script) }  // more entries than bytes
        #expect(throws: DecodingError.self) { try load(damaged { $0[10] = 0 }, lines: script) }  // an entry of no values
        #expect(throws: DecodingError.self) { try load(damaged { $0[7...7] = [0xFF, 0xFF, 0x7F] }, lines: script) }  // two million values
    }

    /// People's names and pairs may load on a thread of their own
    /// (`isPeopleRecord`), so a pair naming a site, or a status naming an
    /// operator, that no record added is caught when the loading ends.
    @Test func pairsAndStatusesNamingWhatNoRecordAddedAreRejected() throws {
        let all = script(0..<500)
        let state = ActivityState()
        _ = all.apply(to: state)
        let records = try records(of: state)
        let tags = records.map { $0[0] }
        #expect(records.map { $0.withUnsafeBytes(ActivityState.isPeopleRecord) } == tags.map { [2, 7, 8].contains($0) })
        #expect(Set(tags).isSuperset(of: [2, 4, 7, 8]) && !tags.contains(3))
        #expect(throws: Never.self) { try load(records, lines: all) }
        let visitorPairs = try #require(tags.firstIndex(of: ActivityState.RecordTag.visitorPairs.rawValue))
        // Tag, count u32, then each pair as u64: person in the low half, site in the high.
        var unknownSite = records
        unknownSite[visitorPairs][5 + 4] = 7  // site 7 of s0…s6
        #expect(throws: DecodingError.self) { try load(unknownSite, lines: all) }
        var unknownVisitor = records
        unknownVisitor[visitorPairs][5 + 2] = 1  // person 65536 and more
        #expect(throws: DecodingError.self) { try load(unknownVisitor, lines: all) }

        // Statuses alone, without the names of their operators (or their pairs).
        var statuses = EventScript()
        statuses.status(uuid(1), site: "a", from: "op", true, at: 1)
        let onlyStatuses = ActivityState()
        _ = statuses.apply(to: onlyStatuses)
        let statusRecords = try self.records(of: onlyStatuses)
        #expect(throws: Never.self) { try load(statusRecords, lines: statuses) }
        let unnamed = statusRecords.filter { ![2, 8].contains($0[0]) }
        #expect(unnamed.count == statusRecords.count - 2)
        #expect(throws: DecodingError.self) { try load(unnamed, lines: statuses) }
    }

    /// A record of site names applied in two parts, as two loading threads
    /// do (the names interned, the sites given their records), loads what
    /// applying it whole does; one part without the other, or a part that
    /// does not fit the state, fails the load.
    @Test func siteNamesAppliedInTwoPartsAgree() throws {
        let all = script(0..<500)
        let state = ActivityState()
        _ = all.apply(to: state)
        let records = try records(of: state)
        #expect(records.filter { $0.withUnsafeBytes(ActivityState.isSiteNamesRecord) }.count == 1)
        func load(_ parts: [SiteNamesPart]) throws -> ActivityState {
            let loaded = ActivityState()
            loaded.reserveCheckpointedIDs(10_000)
            loaded.checkpointedLines = { all.line(at: $0) }
            for record in records {
                try record.withUnsafeBytes { record in
                    for part in ActivityState.isSiteNamesRecord(record) ? parts : [.both] {
                        try loaded.applyCheckpointRecord(record, siteNames: part)
                    }
                }
            }
            try loaded.finishLoadingCheckpoint()
            loaded.markCheckpointed()
            return loaded
        }
        let split = try load([.sites, .names])
        #expect(split.summary() == state.summary())
        #expect(split.idCount == state.idCount)
        #expect(throws: DecodingError.self) { try load([.names]) }
        #expect(throws: DecodingError.self) { try load([.sites]) }
        #expect(throws: DecodingError.self) { try load([.sites, .sites, .names]) }
    }

    /// Records of site names, one a checkpoint, applied in two parts: the
    /// sites' records grow as the names come, not by more with each record.
    @Test func manyRecordsOfSiteNamesInTwoParts() throws {
        let loaded = ActivityState()
        for record in 0..<20 {
            var writer = ByteWriter()
            writer.write(ActivityState.RecordTag.siteNames.rawValue)
            writer.write(UInt32(record * 3))
            writer.write(UInt32(3))
            for name in 0..<3 { writer.writeBytes(Array("site-\(record)-\(name)".utf8)) }
            for part in [SiteNamesPart.sites, .names] {
                try writer.bytes.withUnsafeBytes { try loaded.applyCheckpointRecord($0, siteNames: part) }
            }
        }
        try loaded.finishLoadingCheckpoint()
        #expect(loaded.siteCount == 60 && loaded.sites.count == 60)
        #expect(loaded.activity.capacity <= 2 * 60, "room for \(loaded.activity.capacity) sites")
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
        // Any id, through what a checkpoint records for it: a UUID's as
        // above, another id's from `ByteHash.hash` of its bytes.
        func recorded(_ text: String) -> UInt32 {
            Array(text.utf8).withUnsafeBytes { id in
                ActivityState.fingerprint(ofID: RawEvent(kind: .message, timestamp: 0, id: id, from: id, site: id))
            }
        }
        #expect(recorded("7f360d94-ecae-4d8e-a26a-e11cea7bde2b") == 0xB4F1_C0E1)
        #expect(recorded("evt-1042") == 0xF633_2EA3)
        #expect(recorded("7F360D94-ECAE-4D8E-A26A-E11CEA7BDE2B") == 0x0471_273B)
        #expect(recorded("a") == 0xC8AC_1F5A)
    }

    /// Ids that are not UUIDs are recorded as UUIDs are, by fingerprint and
    /// line offset, not whole (as format version 3 did): the id records
    /// count every id, and a record of ids stored whole (tag 3) is refused.
    @Test func otherIDsAreRecordedByFingerprintAndOffset() throws {
        let all = script(0..<300)
        let state = ActivityState(tracksChanges: true)
        _ = all.apply(to: state)
        let records = try records(of: state)
        let recorded = records.reduce(0) { count, record in
            count + record.withUnsafeBytes { ActivityState.isIDRecord($0) ? ActivityState.idCount(ofRecord: $0) : 0 }
        }
        #expect(state.otherIDs.count == 100 && recorded == 300)
        let fresh = ActivityState()
        fresh.checkpointedIDs = CheckpointedIDs(reserving: 10)
        let whole: [UInt8] = [3, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0x61]
        #expect(throws: DecodingError.self) { try whole.withUnsafeBytes { try fresh.applyCheckpointRecord($0) } }
    }

    /// A line that no longer carries the other id the checkpoint recorded
    /// for it, whether it now carries another one or a UUID, is reported.
    @Test(arguments: ["order-2", "7f360d94-ecae-4d8e-a26a-e11cea7bde2b"])
    func aChangedLineOfAnotherIDIsAMismatch(_ now: String) throws {
        var before = EventScript()
        before.message("order-1", from: "v", at: 1)
        let state = ActivityState(tracksChanges: true)
        _ = before.apply(to: state)
        let loaded = try load(records(of: state), lines: before)
        loaded.checkpointedLines = { _ in Array(#"{"id":"\#(now)","type":"message","from":"v","site_id":"1","timestamp":1}"#.utf8) }
        var again = EventScript()
        again.message("order-1", from: "v", at: 2)
        _ = again.apply(to: loaded, offset: 500)
        #expect(loaded.checkpointMismatch != nil)
    }
}
