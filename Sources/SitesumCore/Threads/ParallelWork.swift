#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Work spread over every core on threads of sitesum's own (`WorkerThread`,
/// not Dispatch's pool, which cannot run without `/proc`: see there).
public enum ParallelWork {
    /// Cores this process may run on (at least 1): those of its affinity
    /// mask (`taskset`, a container's cpuset), or where that cannot be read,
    /// those the system has online. `sched_getaffinity` is a GNU extension
    /// the Glibc module does not declare, so it is looked up by name.
    public static let processors: Int = {
        typealias Getter = @convention(c) (pid_t, Int, UnsafeMutableRawPointer) -> Int32
        if let symbol = dlsym(nil, "sched_getaffinity") {
            let getAffinity = unsafeBitCast(symbol, to: Getter.self)
            var mask = cpu_set_t()
            let allowed = withUnsafeMutableBytes(of: &mask) { bytes in
                getAffinity(0, bytes.count, bytes.baseAddress!) == 0 ? bytes.reduce(0) { $0 + $1.nonzeroBitCount } : 0
            }
            if allowed > 0 { return allowed }
        }
        return max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }()

    /// Calls `body(0)` … `body(count - 1)`, each once, on the calling thread
    /// and on up to `processors − 1` threads named `sitesum-<role>`, which
    /// take the next index as each finishes one (so one long call does not
    /// hold back the others' share), and returns when all have returned.
    /// Helper threads are made for the call and joined before it returns:
    /// for the few parallel steps of a run (a resume's table layout, the
    /// summary), not for work per line.
    public static func perform(iterations count: Int, role: String, _ body: (Int) -> Void) {
        guard count > 1, processors > 1 else {
            for index in 0..<count { body(index) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let work = SharedIndices(count: count, body: body)
            // Where the system refuses a thread, fewer take part.
            let helpers = (1..<min(count, processors)).compactMap { _ in
                WorkerThread.startIfPossible(role: role) { work.drain() }
            }
            work.drain()
            for helper in helpers { helper.join() }
        }
    }

    /// `(0..<count).map(body)` through `perform`.
    public static func map<Result>(_ count: Int, role: String, _ body: (Int) -> Result) -> [Result] {
        let results = UnsafeMutableBufferPointer<Result?>.allocate(capacity: count)
        results.initialize(repeating: nil)
        defer {
            _ = results.deinitialize()
            results.deallocate()
        }
        let slots = UncheckedSlots(results: results)
        perform(iterations: count, role: role) { index in slots.results[index] = body(index) }
        return results.map { $0! }
    }
}

/// The indices of one `ParallelWork.perform` and the closure they go to.
/// `body` is only called, never changed; its callers' promise (each call
/// writes only what is its own) is what makes sharing it sound.
private final class SharedIndices: @unchecked Sendable {
    private let next = Atomic<Int>(0)
    private let count: Int
    private let body: (Int) -> Void

    init(count: Int, body: @escaping (Int) -> Void) {
        self.count = count
        self.body = body
    }

    /// Calls `body` with indices not yet taken until none is left.
    func drain() {
        while true {
            let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
            guard index < count else { return }
            body(index)
        }
    }
}

/// The result slots of one `ParallelWork.map`: each call writes its own.
private struct UncheckedSlots<Result>: @unchecked Sendable {
    let results: UnsafeMutableBufferPointer<Result?>
}
