#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// SIGINT, SIGTERM and SIGHUP ask a run to stop after the current line,
/// save a checkpoint and exit. SIGHUP is what a run gets when its terminal
/// goes away (an ssh connection dropped, a terminal window closed): by
/// default it would end the process like a kill, losing the work since the
/// last checkpoint. The handler only records the signal; the run loop
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
        for number in [SIGINT, SIGTERM, SIGHUP] {
            let previous = signal(number) { number in
                InterruptSignal.received.store(number, ordering: .relaxed)
                signal(number, SIG_DFL)
            }
            // A shell starts background jobs with SIGINT ignored, and `nohup`
            // runs a command with SIGHUP ignored; keep them so.
            if number != SIGTERM, unsafeBitCast(previous, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self) {
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
        switch number {
        case SIGINT: .interrupted
        case SIGHUP: .hungUp
        default: .terminated
        }
    }

    static func name(_ number: Int32) -> String {
        switch number {
        case SIGINT: "SIGINT"
        case SIGHUP: "SIGHUP"
        default: "SIGTERM"
        }
    }
}
