#if canImport(Glibc)
import Glibc
#endif

/// One thread running one closure, joined before it is forgotten.
///
/// The thread is named (`sitesum-` and what it does), so that `top -H`,
/// `ps -L`, a debugger and a profiler (`stress/profile.sh`) tell the
/// threads of a run apart; the run's own thread keeps the program's name.
///
/// Every helper thread of a run is one of these (`ParallelWork`'s too), none
/// is Dispatch's. On Linux, libdispatch watches its pool from the moment its
/// first worker starts, and then once a second: while work waits in a queue,
/// it reads each worker's `/proc/<thread>/stat`, and where `/proc` is not
/// mounted (a chroot, a bare container: places sitesum runs in) it stops the
/// process with an illegal instruction ("registered worker exited
/// prematurely"). Whether work was waiting at that moment is a matter of
/// timing, so such runs failed now and then, more often on a busy machine.
public final class WorkerThread {
    private final class Body {
        let name: String
        let run: () -> Void
        init(name: String, _ run: @escaping () -> Void) {
            self.name = name
            self.run = run
        }
    }

    private let thread: pthread_t
    private var joined = false

    private init(_ thread: pthread_t) {
        self.thread = thread
    }

    /// Starts `body` on a new thread named `sitesum-<role>` (at most 15
    /// bytes in all, the system's limit: `role` at most 7), for work the run
    /// cannot go on without. Where the system refuses the thread, the run
    /// ends as when it is refused memory (`OutOfMemory`: the reason on
    /// standard error, exit status 71), not with a crash.
    public convenience init(role: String, _ body: @escaping @Sendable () -> Void) {
        switch Self.spawn(role: role, body) {
        case let .started(thread): self.init(thread)
        case let .refused(error):
            OutOfMemory.fail("cannot start a thread (\(String(cString: strerror(error))): "
                + "a limit on threads or processes, or no memory for its stack)")
        }
    }

    /// Starts `body` as `init(role:_:)` does, for work the caller can do
    /// itself: nil, with `body` not run, where the system refuses a thread.
    public static func startIfPossible(role: String, _ body: @escaping @Sendable () -> Void) -> WorkerThread? {
        guard !refusesOptionalThreads else { return nil }
        return switch spawn(role: role, body) {
        case let .started(thread): WorkerThread(thread)
        case .refused: nil
        }
    }

    /// For tests: while true (`$refusesOptionalThreads.withValue(true)`,
    /// for the calls the task that sets it makes), `startIfPossible` acts
    /// as where the system refuses every thread, so that the callers' own
    /// way of doing the work is exercised (no limit on threads binds a
    /// test run as root).
    @TaskLocal static var refusesOptionalThreads = false

    private enum Spawned {
        case started(pthread_t)
        case refused(Int32)
    }

    private static func spawn(role: String, _ body: @escaping @Sendable () -> Void) -> Spawned {
        precondition(role.utf8.count <= 7, "a thread's name has at most 15 bytes")
        let context = Unmanaged.passRetained(Body(name: "sitesum-" + role, body))
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { context in
            let body = Unmanaged<Body>.fromOpaque(context!).takeRetainedValue()
            ThreadName.set(body.name)
            body.run()
            return nil
        }, context.toOpaque())
        guard result == 0 else {
            context.release()
            return .refused(result)
        }
        return .started(thread)
    }

    /// Waits for the closure to return.
    public func join() {
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
public enum ThreadName {
    private typealias Setter = @convention(c) (pthread_t, UnsafePointer<CChar>) -> Int32
    private typealias Getter = @convention(c) (pthread_t, UnsafeMutablePointer<CChar>, Int) -> Int32

    private static let setter: Setter? = dlsym(nil, "pthread_setname_np").map { unsafeBitCast($0, to: Setter.self) }
    private static let getter: Getter? = dlsym(nil, "pthread_getname_np").map { unsafeBitCast($0, to: Getter.self) }

    /// Names the calling thread (at most 15 bytes; a longer name is refused).
    public static func set(_ name: String) {
        guard let setter else { return }
        _ = name.withCString { setter(pthread_self(), $0) }
    }

    /// The calling thread's name; nil when it cannot be read.
    public static func current() -> String? {
        guard let getter else { return nil }
        var name = [CChar](repeating: 0, count: 16)
        guard getter(pthread_self(), &name, name.count) == 0 else { return nil }
        return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
