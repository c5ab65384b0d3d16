import Testing
@testable import SitesumCore

/// Builds events without the decoder, so these tests check the state machine alone.
struct EventScript {
    struct Entry {
        var id: String
        var kind: EventKind
        var from: String
        var site: String
        var timestamp: Int64
    }
    var entries: [Entry] = []

    mutating func message(_ id: String, site: String = "1", from: String, at timestamp: Int64) {
        entries.append(Entry(id: id, kind: .message, from: from, site: site, timestamp: timestamp))
    }

    mutating func status(_ id: String, site: String = "1", from: String, _ online: Bool, at timestamp: Int64) {
        entries.append(Entry(id: id, kind: online ? .online : .offline, from: from, site: site, timestamp: timestamp))
    }

    /// Applies the entries in order; the offset of entry `i` is `offset + i * 100`.
    func apply(to state: ActivityState, offset base: UInt64 = 0) -> [Bool] {
        entries.enumerated().map { index, entry in
            let id = Array(entry.id.utf8), from = Array(entry.from.utf8), site = Array(entry.site.utf8)
            return id.withUnsafeBytes { id in
                from.withUnsafeBytes { from in
                    site.withUnsafeBytes { site in
                        state.apply(RawEvent(kind: entry.kind, timestamp: entry.timestamp, id: id, from: from, site: site),
                                    offset: base + UInt64(index * 100))
                    }
                }
            }
        }
    }

    /// The entry `apply` gives `offset` as a line of JSON: what a resumed
    /// state reads again to compare an id with the checkpoint's
    /// (`ActivityState.checkpointedLines`). Names must need no escaping.
    func line(at offset: UInt64) -> [UInt8]? {
        guard offset % 100 == 0, offset / 100 < UInt64(entries.count) else { return nil }
        let entry = entries[Int(offset / 100)]
        let type = entry.kind == .message ? "message" : "status"
        let data = entry.kind == .message ? "" : #","data":{"status":"\#(entry.kind == .online ? "online" : "offline")"}"#
        return Array(#"{"id":"\#(entry.id)","type":"\#(type)","from":"\#(entry.from)","site_id":"\#(entry.site)","timestamp":\#(entry.timestamp)\#(data)}"#.utf8)
    }

    func summary(tracksChanges: Bool = false) -> String {
        let state = ActivityState(tracksChanges: tracksChanges)
        _ = apply(to: state)
        return String(decoding: state.summary().text, as: UTF8.self)
    }
}

@Suite struct ActivityStateTests {
    /// The summary's counts are spelled as `String` spells them.
    @Test(arguments: [0, 1, 9, 10, 99, 100, 12_345, 1 << 32, Int.max])
    func countsAreWrittenInDecimal(_ value: Int) {
        var text: [UInt8] = Array("x=".utf8)
        appendDecimal(value, to: &text)
        #expect(String(decoding: text, as: UTF8.self) == "x=\(value)")
    }

    @Test func outOfOrderStatusStillAppliesByTime() {
        var script = EventScript()
        script.message("m1", from: "v1", at: 7391)  // after the operator went online
        script.message("m2", from: "v2", at: 100)   // before
        script.status("s1", from: "o1", true, at: 5630)
        #expect(script.summary() == "1,messages=1,emails=1,operators=1,visitors=2\n")
    }

    @Test func statusAtTheSameTimestampAppliesBeforeMessages() {
        var script = EventScript()
        script.message("m1", from: "v1", at: 50)
        script.status("s1", from: "o1", true, at: 50)
        #expect(script.summary() == "1,messages=1,emails=0,operators=1,visitors=1\n")
        var offline = EventScript()
        offline.status("s0", from: "o1", true, at: 10)
        offline.message("m1", from: "v1", at: 50)
        offline.status("s1", from: "o1", false, at: 50)
        #expect(offline.summary() == "1,messages=0,emails=1,operators=1,visitors=1\n")
    }

    @Test func amongStatusesAtOneTimestampTheLaterLineWins() {
        var script = EventScript()
        script.status("a", from: "o1", false, at: 50)
        script.status("b", from: "o1", true, at: 50)
        script.message("m", from: "v", at: 60)
        #expect(script.summary() == "1,messages=1,emails=0,operators=1,visitors=1\n")
        var reversed = EventScript()
        reversed.status("b", from: "o1", true, at: 50)
        reversed.status("a", from: "o1", false, at: 50)
        reversed.message("m", from: "v", at: 60)
        #expect(reversed.summary() == "1,messages=0,emails=1,operators=1,visitors=1\n")
    }

    @Test func onlineWhileAnyOperatorIsOnline() {
        var script = EventScript()
        script.status("a", from: "o1", true, at: 10)
        script.status("b", from: "o2", true, at: 20)
        script.status("c", from: "o1", false, at: 30)
        script.message("m1", from: "v", at: 35)  // o2 still online
        script.status("d", from: "o2", false, at: 40)
        script.message("m2", from: "v", at: 45)
        script.status("e", from: "o2", false, at: 46)  // offline twice: harmless
        script.status("f", from: "o1", true, at: 50)
        script.status("g", from: "o1", true, at: 55)   // online twice: harmless
        script.status("h", from: "o1", false, at: 60)
        script.message("m3", from: "v", at: 61)
        #expect(script.summary() == "1,messages=1,emails=2,operators=2,visitors=1\n")
    }

    @Test func duplicatesWithConflictingContentAreIgnoredEntirely() {
        var script = EventScript()
        script.message("x", site: "1", from: "v1", at: 10)
        script.message("x", site: "2", from: "v2", at: 10)  // other site: ignored
        script.status("x", site: "1", from: "o1", true, at: 1)  // other type: ignored
        let state = ActivityState()
        #expect(script.apply(to: state) == [true, false, false])
        #expect(state.tally.duplicates == 2)
        #expect(String(decoding: state.summary().text, as: UTF8.self) == "1,messages=0,emails=1,operators=0,visitors=1\n")
    }

    @Test func uuidAndOtherIdsAreExact() {
        var script = EventScript()
        script.message("7f360d94-ecae-4d8e-a26a-e11cea7bde2b", from: "v", at: 1)
        script.message("7F360D94-ECAE-4D8E-A26A-E11CEA7BDE2B", from: "v", at: 1)  // other string, other id
        script.message("7f360d94-ecae-4d8e-a26a-e11cea7bde2b", from: "v", at: 1)  // duplicate
        script.message("00000000-0000-0000-0000-000000000000", from: "v", at: 1)  // the zero key
        script.message("00000000-0000-0000-0000-000000000000", from: "v", at: 1)
        script.message("7f360d94ecae4d8ea26ae11cea7bde2b", from: "v", at: 1)
        let state = ActivityState()
        #expect(script.apply(to: state) == [true, true, false, true, false, true])
        #expect(state.idCount == 4)
    }

    @Test func sitesWithOnlyStatusesOrOnlyMessages() {
        var script = EventScript()
        script.status("a", site: "ops", from: "o1", true, at: 1)
        script.status("b", site: "ops", from: "o2", false, at: 2)
        script.message("c", site: "quiet", from: "v1", at: 3)
        script.message("d", site: "quiet", from: "v1", at: 4)
        #expect(script.summary() == "ops,messages=0,emails=0,operators=2,visitors=0\nquiet,messages=0,emails=2,operators=0,visitors=1\n")
    }

    @Test func sitesSortBytewise() {
        var script = EventScript()
        for (index, site) in ["9", "10", "b", "B", "é", "1"].enumerated() {
            script.message("id\(index)", site: site, from: "v", at: 1)
        }
        let sites = script.summary().split(separator: "\n").map { $0.split(separator: ",")[0] }
        #expect(sites == ["1", "10", "9", "B", "b", "é"])
    }

    /// The summary sorts by each name's first eight bytes first, then by
    /// the whole names: names that share those bytes, that end within them
    /// (a name before the longer ones it begins), that hold zero bytes there
    /// (so padding cannot tell them apart), and bytes from 0x80 up.
    @Test func sitesSortBytewiseWhateverTheirFirstEightBytes() {
        let names = ["", "\u{0}", "\u{0}\u{0}", "1", "1\u{0}", "1\u{0}a", "10", "9", "abcdefgh", "abcdefgh\u{0}",
                     "abcdefghi", "abcdefgh\u{0}\u{0}", "abcdefgg\u{7f}", "abcdefgg\u{80}", "zzzzzzzzzz", "zzzzzzzz", "zzzzzzz",
                     "é", "\u{80}", "\u{10ffff}", "a,b", "12345678901", "12345678902", "1234567890"]
        var script = EventScript()
        for (index, site) in names.shuffled().enumerated() {
            script.message("id\(index)", site: site, from: "v", at: 1)
        }
        let state = ActivityState()
        _ = script.apply(to: state)
        let expected = names.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) }
        #expect(state.summary().map(\.site) == expected)
    }

    @Test func sameNameAsVisitorAndOperatorCountsInEachRole() {
        var script = EventScript()
        script.status("a", from: "sam", true, at: 1)
        script.message("b", from: "sam", at: 2)
        script.message("c", site: "2", from: "sam", at: 2)
        #expect(script.summary() == "1,messages=1,emails=0,operators=1,visitors=1\n2,messages=0,emails=1,operators=0,visitors=1\n")
    }

    @Test func extremeTimestamps() {
        var script = EventScript()
        script.status("a", from: "o", true, at: .min)
        script.message("b", from: "v", at: .min)
        script.message("c", from: "v", at: .max)
        script.status("d", from: "o", false, at: .max)
        #expect(script.summary() == "1,messages=1,emails=1,operators=1,visitors=1\n")
    }
}
