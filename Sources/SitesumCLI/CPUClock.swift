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
