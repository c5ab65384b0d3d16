#if canImport(Glibc)
import Glibc
#endif

/// A value shared between threads, guarded by a mutex, with one condition
/// variable to wait on until it is in a wanted state: the classic monitor.
///
/// The two hand-overs of a run (batches between the decoding threads and the
/// applying one, checkpoints to the writing thread) are each one small state plus "wait
/// until there is something for me"; this is that, on pthreads, so the tool
/// needs no Foundation.
final class Monitor<State>: @unchecked Sendable {
    // @unchecked: `state` is only touched with `mutex` held.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var state: State

    init(_ state: State) {
        self.state = state
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        condition.deallocate()
    }

    /// Changes the state and wakes every waiter to look at it again.
    func update<Result>(_ body: (inout State) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer {
            pthread_cond_broadcast(condition)
            pthread_mutex_unlock(mutex)
        }
        return try body(&state)
    }

    /// Waits until `ready` holds, then changes the state as `update` does.
    func wait<Result>(until ready: (State) -> Bool, then body: (inout State) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer {
            pthread_cond_broadcast(condition)
            pthread_mutex_unlock(mutex)
        }
        while !ready(state) { pthread_cond_wait(condition, mutex) }
        return try body(&state)
    }
}

/// One thread running one closure, joined before it is forgotten.
///
/// The thread is named (`sitesum-` and what it does), so that `top -H`,
/// `ps -L`, a debugger and a profiler (`stress/profile.sh`) tell the
/// threads of a run apart; the run's own thread keeps the program's name.
final class WorkerThread {
    private final class Body {
        let name: String
        let run: () -> Void
        init(name: String, _ run: @escaping () -> Void) {
            self.name = name
            self.run = run
        }
    }

    private var thread = pthread_t()
    private var joined = false

    /// Starts `body` on a new thread named `sitesum-<role>` (at most 15
    /// bytes in all, the system's limit: `role` at most 7).
    init(role: String, _ body: @escaping @Sendable () -> Void) {
        precondition(role.utf8.count <= 7, "a thread's name has at most 15 bytes")
        let context = Unmanaged.passRetained(Body(name: "sitesum-" + role, body)).toOpaque()
        let result = pthread_create(&thread, nil, { context in
            let body = Unmanaged<Body>.fromOpaque(context!).takeRetainedValue()
            ThreadName.set(body.name)
            body.run()
            return nil
        }, context)
        precondition(result == 0, "cannot start a thread (error \(result))")
    }

    /// Waits for the closure to return.
    func join() {
        guard !joined else { return }
        joined = true
        pthread_join(thread, nil)
    }

    deinit { join() }
}

/// The calling thread's name, through the C library's `pthread_setname_np`
/// and `pthread_getname_np` (GNU extensions, which the Glibc module does
/// not declare: looked up by name, once). Without them, threads stay named
/// after the program.
enum ThreadName {
    private typealias Setter = @convention(c) (pthread_t, UnsafePointer<CChar>) -> Int32
    private typealias Getter = @convention(c) (pthread_t, UnsafeMutablePointer<CChar>, Int) -> Int32

    private static let setter: Setter? = dlsym(nil, "pthread_setname_np").map { unsafeBitCast($0, to: Setter.self) }
    private static let getter: Getter? = dlsym(nil, "pthread_getname_np").map { unsafeBitCast($0, to: Getter.self) }

    /// Names the calling thread (at most 15 bytes; a longer name is refused).
    static func set(_ name: String) {
        guard let setter else { return }
        _ = name.withCString { setter(pthread_self(), $0) }
    }

    /// The calling thread's name; nil when it cannot be read.
    static func current() -> String? {
        guard let getter else { return nil }
        var name = [CChar](repeating: 0, count: 16)
        guard getter(pthread_self(), &name, name.count) == 0 else { return nil }
        return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
