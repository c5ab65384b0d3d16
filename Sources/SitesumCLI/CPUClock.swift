#if canImport(Glibc)
import Glibc
#endif

/// Processor time used, user and kernel together (`clock_gettime(2)`), by
/// the calling thread or by the whole process: how the statistics line tells
/// what the checkpoints cost the processors, apart from the wall time, which
/// on a shared machine moves with everything else running on it.
enum CPUClock {
    /// Seconds the calling thread has run.
    static func thread() -> Double { seconds(CLOCK_THREAD_CPUTIME_ID) }

    /// Seconds all of the process's threads have run, the ended ones included.
    static func process() -> Double { seconds(CLOCK_PROCESS_CPUTIME_ID) }

    private static func seconds(_ clock: clockid_t) -> Double {
        var time = timespec()
        guard clock_gettime(clock, &time) == 0 else { return 0 }
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

/// The most memory the process has held in RAM so far (`getrusage(2)`'s
/// maximum resident set size), in bytes: the statistics line's `peak-rss=`.
enum PeakMemory {
    static func bytes() -> UInt64 {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        // Linux counts it in kilobytes.
        return UInt64(max(0, usage.ru_maxrss)) * 1024
    }
}

/// The machine's RAM in bytes (`sysconf(3)`), or 0 where it cannot tell.
enum PhysicalMemory {
    static let bytes: UInt64 = {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        return pages > 0 && size > 0 ? UInt64(pages) * UInt64(size) : 0
    }()
}
