#if canImport(Glibc)
import Glibc
#endif

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
