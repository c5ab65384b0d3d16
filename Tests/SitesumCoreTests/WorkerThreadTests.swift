import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Testing
@testable import SitesumCore

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
}
