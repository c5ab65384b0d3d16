#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// SIGINT and SIGTERM ask a run to stop after the current line, save a
/// checkpoint and exit. The handler only records the signal; the run loop
/// polls it, and so does a read waiting on a pipe or a terminal
/// (`LineReader.stopWaiting`). A second signal of the same kind kills the process at once, as
/// users expect when they press Ctrl-C twice.
enum InterruptSignal {
    private static let received = Atomic<Int32>(0)

    /// The signal received so far, or 0.
    static var pending: Int32 { received.load(ordering: .relaxed) }

    static func install() {
        // Touch the atomic before a handler can run, so the handler never
        // triggers its lazy initialisation.
        _ = pending
        var handled = sigset_t()
        sigemptyset(&handled)
        for number in [SIGINT, SIGTERM] {
            let previous = signal(number) { number in
                InterruptSignal.received.store(number, ordering: .relaxed)
                signal(number, SIG_DFL)
            }
            // A shell starts background jobs with SIGINT ignored; keep it so.
            if number == SIGINT, unsafeBitCast(previous, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self) {
                signal(number, SIG_IGN)
            }
            sigaddset(&handled, number)
        }
        // A parent may have blocked them (some process launchers do); a run
        // that cannot be stopped cleanly would lose its work instead.
        sigprocmask(SIG_UNBLOCK, &handled, nil)
    }

    /// The exit status for a signal: 128 + its number.
    static func exitCode(for number: Int32) -> ExitCode {
        number == SIGINT ? .interrupted : .terminated
    }

    static func name(_ number: Int32) -> String {
        number == SIGINT ? "SIGINT" : "SIGTERM"
    }
}
