import SitesumPrefetch
#if canImport(Glibc)
import Glibc
#endif

/// Large zeroed tables straight from the kernel (`mmap`), asking for huge pages.
///
/// The id set is hundreds of megabytes probed at random: with 4 KiB pages
/// nearly every probe also misses the TLB, and `madvise(MADV_HUGEPAGE)` cuts
/// that (the kernel here runs transparent huge pages in "madvise" mode). Fresh
/// anonymous pages are already zero, which is the empty slot, so a new table
/// costs no initialising pass, and unmapping returns the memory at once
/// instead of leaving it to the allocator's thresholds.
@usableFromInline
enum PageMemory {
    /// Below this a table comes from the ordinary allocator.
    @usableFromInline static let threshold = 2 << 20

    /// `byteCount` zero bytes, aligned to 64.
    @usableFromInline
    static func allocateZeroed(byteCount: Int) -> UnsafeMutableRawPointer {
        if byteCount < threshold {
            let memory = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 64)
            memory.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
            return memory
        }
        let length = rounded(byteCount)
        guard let memory = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              memory != MAP_FAILED else {
            OutOfMemory.fail("cannot map \(length) bytes for a table")
        }
        _ = madvise(memory, length, 14 /* MADV_HUGEPAGE */)
        return memory
    }

    /// Has the kernel provide the pages of `byteCount` bytes at `memory` (from
    /// `allocateZeroed`) on another thread, now, rather than one at a time as
    /// they are first written. The pages are the same zero pages either way,
    /// and writing to them meanwhile is safe; this only moves the kernel's work
    /// (zeroing, and on a virtual machine the host backing the memory) off the
    /// thread that fills the table.
    ///
    /// The thread touches each page for writing (`touchForWriting`: a
    /// compare-and-swap that leaves what the table's own writers stored), so
    /// that the kernel provides it in a page fault. It used to ask with
    /// `madvise(MADV_POPULATE_WRITE)`, a few megabytes a call, but that holds
    /// the process's memory-map lock for as long as a call lasts, and every
    /// other thread that maps or unmaps memory meanwhile (any large `malloc`
    /// or `free`, a column growing) waits for it, and their page faults
    /// behind them: a trace of a 10M-line resume's thread counted tens of
    /// milliseconds so blocked in `mmap` and in page faults. A page fault
    /// takes only the lock of its own mapping (Linux 6.4 and later).
    /// Join the returned thread (`sitesum-pages`) before unmapping. Nil for a
    /// small table, or where the system refuses a thread: the pages then
    /// come as they are written.
    @usableFromInline
    static func populateInBackground(_ memory: UnsafeMutableRawPointer, byteCount: Int) -> WorkerThread? {
        guard byteCount >= threshold else { return nil }
        let address = UInt(bitPattern: memory)
        let length = rounded(byteCount)
        return WorkerThread.startIfPossible(role: "pages") {
            for start in stride(from: 0, to: length, by: 4096) {
                touchForWriting(UnsafeMutableRawPointer(bitPattern: address + UInt(start))!)
            }
        }
    }

    /// Returns what `allocateZeroed(byteCount:)` gave.
    @usableFromInline
    static func deallocate(_ memory: UnsafeMutableRawPointer, byteCount: Int) {
        if byteCount < threshold {
            memory.deallocate()
        } else {
            _ = munmap(memory, rounded(byteCount))
        }
    }

    private static func rounded(_ byteCount: Int) -> Int {
        (byteCount + threshold - 1) / threshold * threshold
    }
}
