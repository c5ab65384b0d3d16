import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Testing
@testable import SitesumCore
import SitesumGenerator

/// A run's helper threads are sitesum's own and carry names, for `top -H`,
/// debuggers and profilers.
@Suite struct WorkerThreadTests {
    /// The roles a run's threads have (`DecodingPipeline`, `CheckpointWriter`,
    /// `RecordApplier`, `PageMemory`, `CheckpointedIDs`, `Summary`): each
    /// thread is named, within the system's 15 bytes (a longer name is
    /// refused, leaving the program's).
    @Test(arguments: ["decode", "commit", "load", "people", "ids", "pages", "layout", "summary"])
    func theThreadIsNamedAfterItsRole(_ role: String) {
        let seen = Mutex("")
        WorkerThread(role: role) { seen.withLock { $0 = ThreadName.current() ?? "" } }.join()
        #expect(seen.withLock { $0 } == "sitesum-" + role)
    }

    /// The helper threads a run can do without (`startIfPossible`: the
    /// summary's, a large table's pages) are left out where the system
    /// refuses them, and their callers do the work themselves, with the same
    /// results: every index of a parallel map, on the caller alone; a large
    /// table, without its pages provided ahead; a summary, a checkpoint
    /// loaded with many ids, and the summary's text in pieces.
    @Test func refusedHelpersLeaveTheWorkToTheCaller() throws {
        let options = GeneratorOptions(lines: 4_000, seed: 12, sites: 300, operators: 5, visitors: 200,
                                       span: 2_000, duplicateRate: 0.05, malformedRate: 0.01)
        let bytes = LogGenerator(options: options).bytes()
        let expected = ReferenceModel.summary(of: bytes)
        try WorkerThread.$refusesOptionalThreads.withValue(true) {
            #expect(WorkerThread.startIfPossible(role: "test") { Issue.record("a refused thread ran") } == nil)
            let caller = ThreadName.current() ?? "?"
            let names = Mutex(Set<String>())
            let squares = ParallelWork.map(1_000, role: "test") { index in
                names.withLock { _ = $0.insert(ThreadName.current() ?? "?") }
                return index * index
            }
            #expect(squares == (0..<1_000).map { $0 * $0 })
            #expect(names.withLock { $0 } == [caller])

            let byteCount = PageMemory.threshold * 3
            let memory = PageMemory.allocateZeroed(byteCount: byteCount)
            #expect(PageMemory.populateInBackground(memory, byteCount: byteCount) == nil)
            memory.storeBytes(of: 7, toByteOffset: byteCount - 8, as: UInt64.self)
            #expect(memory.load(fromByteOffset: byteCount - 8, as: UInt64.self) == 7)
            PageMemory.deallocate(memory, byteCount: byteCount)

            let state = InMemoryRun.state(of: bytes, tracksChanges: true)
            #expect(String(decoding: state.summaryText(), as: UTF8.self) == expected)
            #expect(String(decoding: state.summaryText(pieces: 3), as: UTF8.self) == expected)
            var records: [[UInt8]] = []
            try state.writeCheckpointRecords { records.append($0) }
            let loaded = ActivityState(tracksChanges: true)
            // Room for a million ids: a table past PageMemory's threshold.
            loaded.reserveCheckpointedIDs(1_000_000)
            for record in records { try record.withUnsafeBytes { try loaded.applyCheckpointRecord($0) } }
            try loaded.finishLoadingCheckpoint()
            #expect(loaded.summary() == state.summary())
            #expect(loaded.idCount == state.idCount)
        }
    }

    /// Every index once, on the calling thread or a helper named after the
    /// role, never on a thread of Dispatch's pool (which stops a run where
    /// `/proc` is not mounted, see `WorkerThread`).
    @Test(arguments: [0, 1, 2, 7, 1000])
    func parallelWorkCallsEveryIndexOnceOnItsOwnThreads(count: Int) {
        let caller = ThreadName.current()
        let calls = Mutex([Int](repeating: 0, count: count))
        let names = Mutex(Set<String>())
        ParallelWork.perform(iterations: count, role: "test") { index in
            let name = ThreadName.current() ?? "?"
            calls.withLock { $0[index] += 1 }
            names.withLock { _ = $0.insert(name) }
        }
        #expect(calls.withLock { $0 } == [Int](repeating: 1, count: count))
        #expect(names.withLock { $0 }.isSubset(of: [caller ?? "?", "sitesum-test"]), "\(names.withLock { $0 })")
    }

    /// The cores counted are those the process may run on, as `nproc`
    /// counts them (its affinity mask, which a child inherits).
    @Test func processorsAreThoseOfTheAffinityMask() throws {
        let nproc = Process()
        nproc.executableURL = URL(fileURLWithPath: "/usr/bin/nproc")
        let output = Pipe()
        nproc.standardOutput = output
        try nproc.run()
        nproc.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(ParallelWork.processors == Int(text.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    /// A scratch value is made once a thread, on that thread, and every
    /// call on the thread gets that one.
    @Test(arguments: [0, 1, 5000])
    func scratchIsMadeOnceAThread(count: Int) {
        let made = Mutex(0)
        let foreign = Mutex(0)
        let calls = Mutex(0)
        ParallelWork.perform(iterations: count, role: "test", scratch: { () -> (thread: pthread_t, calls: Int) in
            made.withLock { $0 += 1 }
            return (pthread_self(), 0)
        }) { _, scratch in
            if pthread_equal(scratch.thread, pthread_self()) == 0 { foreign.withLock { $0 += 1 } }
            scratch.calls += 1
            calls.withLock { $0 += 1 }
        }
        #expect(calls.withLock { $0 } == count)
        #expect(foreign.withLock { $0 } == 0)
        #expect(made.withLock { $0 } <= min(count, ParallelWork.processors))
        #expect(made.withLock { $0 } >= min(count, 1))
        #expect(ParallelWork.map(count, role: "test", scratch: { 10 }) { index, scratch in index + scratch }
            == (0..<count).map { $0 + 10 })
    }

    @Test func parallelMapKeepsTheOrder() {
        #expect(ParallelWork.map(500, role: "test") { $0 * $0 } == (0..<500).map { $0 * $0 })
        #expect(ParallelWork.map(0, role: "test") { $0 }.isEmpty)
    }

    /// The pages of a large table are provided by a thread of its own (a
    /// small table's come from the ordinary allocator), and stay zero.
    @Test func onlyLargeTablesGetAThreadProvidingTheirPages() throws {
        let byteCount = 8 << 20
        let memory = PageMemory.allocateZeroed(byteCount: byteCount)
        defer { PageMemory.deallocate(memory, byteCount: byteCount) }
        let populating = try #require(PageMemory.populateInBackground(memory, byteCount: byteCount))
        populating.join()
        #expect(memory.load(fromByteOffset: byteCount - 8, as: UInt64.self) == 0)
        #expect(PageMemory.populateInBackground(memory, byteCount: PageMemory.threshold - 1) == nil)
    }

    /// The thread that provides a table's pages touches them for writing: the
    /// kernel gives the table real pages (resident in its mapping, where a
    /// read would only map the shared zero page), and words other threads
    /// store before and while it runs keep their values. The stores are at
    /// the start of pages, the very words it touches.
    @Test func providingPagesKeepsWhatIsStoredAndMakesThemResident() throws {
        let byteCount = 16 << 20
        let memory = PageMemory.allocateZeroed(byteCount: byteCount)
        defer { PageMemory.deallocate(memory, byteCount: byteCount) }
        let words = memory.bindMemory(to: UInt64.self, capacity: byteCount / 8)
        let perPage = 4096 / 8
        func value(_ index: Int) -> UInt64 { UInt64(index) | 1 << 63 }
        // Before: every other page's first word; while it runs: the others'.
        for index in stride(from: 0, to: byteCount / 8, by: 2 * perPage) { words[index] = value(index) }
        let populating = try #require(PageMemory.populateInBackground(memory, byteCount: byteCount))
        for index in stride(from: perPage, to: byteCount / 8, by: 2 * perPage) { words[index] = value(index) }
        populating.join()
        for index in stride(from: 0, to: byteCount / 8, by: perPage) {
            #expect(words[index] == value(index))
            #expect(words[index + 1] == 0)
        }
        #if os(Linux)
        // A table no one writes: Rss counts real pages only, not the zero
        // page a read maps, so only touches for writing make it the table's
        // size. MADV_DONTFORK gives its mapping flags no other mapping has,
        // so the kernel merges it with none (other tests' tables among
        // them) and its Rss is its own.
        let fresh = PageMemory.allocateZeroed(byteCount: byteCount)
        defer { PageMemory.deallocate(fresh, byteCount: byteCount) }
        try #require(madvise(fresh, byteCount, 10 /* MADV_DONTFORK */) == 0)
        _ = fresh.load(fromByteOffset: byteCount / 2, as: UInt64.self)
        #expect(try Self.residentBytes(of: fresh) < byteCount / 2, "a read makes no page resident")
        try #require(PageMemory.populateInBackground(fresh, byteCount: byteCount)).join()
        #expect(try Self.residentBytes(of: fresh) >= byteCount)
        #endif
    }

    #if os(Linux)
    /// The resident bytes (`Rss` in `/proc/self/smaps`) of the mapping that holds `address`.
    static func residentBytes(of address: UnsafeMutableRawPointer) throws -> Int {
        let target = UInt(bitPattern: address)
        var inMapping = false
        // Read to the end: a file of /proc reports no size to read up to.
        let smaps = try #require(FileHandle(forReadingAtPath: "/proc/self/smaps")).readToEnd() ?? Data()
        for line in String(decoding: smaps, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if let range = fields.first, range.contains("-"), !range.hasSuffix(":") {
                let bounds = range.split(separator: "-").compactMap { UInt($0, radix: 16) }
                inMapping = bounds.count == 2 && bounds[0] <= target && target < bounds[1]
            } else if inMapping, fields.first == "Rss:", fields.count >= 2, let kilobytes = Int(fields[1]) {
                return kilobytes * 1024
            }
        }
        throw SmapsError()
    }

    struct SmapsError: Error {}
    #endif
}
