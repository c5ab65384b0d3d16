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
    /// take the next indices as each finishes its last (so one long call does
    /// not hold back the others' share), and returns when all have returned.
    /// Indices are taken a few at a time when there are many (a run of
    /// `count / (processors × 64)`), so that the threads do not take turns
    /// at one shared counter for each of a million small sites.
    /// Helper threads are made for the call and joined before it returns:
    /// for the few parallel steps of a run (a resume's table layout, the
    /// summary), not for work per line.
    public static func perform(iterations count: Int, role: String, _ body: (Int) -> Void) {
        perform(iterations: count, role: role, scratch: {}) { index, _ in body(index) }
    }

    /// `perform` with a value of each thread's own that all its calls are
    /// given: scratch memory made once a thread (by `makeScratch`, on that
    /// thread, before its first call) instead of once a call, for work
    /// whose scratch is large beside a call's (the summary's, one byte a
    /// person, for each of what may be millions of sites).
    public static func perform<Scratch>(
        iterations count: Int, role: String, scratch makeScratch: () -> Scratch, _ body: (Int, inout Scratch) -> Void
    ) {
        withoutActuallyEscaping(makeScratch) { makeScratch in
            withoutActuallyEscaping(body) { body in
                let indices = Indices(count: count, run: max(1, count / (processors * 64)))
                let drain = UncheckedClosure {
                    guard var taken = indices.take() else { return }
                    var scratch = makeScratch()
                    while true {
                        for index in taken { body(index, &scratch) }
                        guard let next = indices.take() else { return }
                        taken = next
                    }
                }
                // Where the system refuses a thread, fewer take part.
                let helpers = (1..<max(1, min(count, processors))).compactMap { _ in
                    WorkerThread.startIfPossible(role: role) { drain.run() }
                }
                drain.run()
                for helper in helpers { helper.join() }
            }
        }
    }

    /// `(0..<count).map(body)` through `perform`.
    public static func map<Result>(_ count: Int, role: String, _ body: (Int) -> Result) -> [Result] {
        map(count, role: role, scratch: {}) { index, _ in body(index) }
    }

    /// `(0..<count).map(body)` through `perform(iterations:role:scratch:_:)`.
    public static func map<Scratch, Result>(
        _ count: Int, role: String, scratch makeScratch: () -> Scratch, _ body: (Int, inout Scratch) -> Result
    ) -> [Result] {
        let results = UnsafeMutableBufferPointer<Result?>.allocate(capacity: count)
        results.initialize(repeating: nil)
        defer {
            _ = results.deinitialize()
            results.deallocate()
        }
        let slots = UncheckedSlots(results: results)
        perform(iterations: count, role: role, scratch: makeScratch) { index, scratch in
            slots.results[index] = body(index, &scratch)
        }
        return results.map { $0! }
    }
}

/// The indices of one `ParallelWork.perform`, handed out `run` at a time.
private final class Indices: Sendable {
    private let next = Atomic<Int>(0)
    private let count: Int
    private let run: Int

    init(count: Int, run: Int) {
        self.count = count
        self.run = run
    }

    /// Up to `run` indices not yet taken; nil when none is left.
    func take() -> Range<Int>? {
        let first = next.wrappingAdd(run, ordering: .relaxed).oldValue
        return first < count ? first..<min(count, first + run) : nil
    }
}

/// What every thread of one `ParallelWork.perform` runs: calls of the
/// caller's closures, which only read what they share and write what is
/// their own (their callers' promise), so sharing them is sound.
private struct UncheckedClosure: @unchecked Sendable {
    let run: () -> Void
}

/// The result slots of one `ParallelWork.map`: each call writes its own.
private struct UncheckedSlots<Result>: @unchecked Sendable {
    let results: UnsafeMutableBufferPointer<Result?>
}
