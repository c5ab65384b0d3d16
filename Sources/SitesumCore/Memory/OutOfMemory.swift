/// What happens when the system refuses a run memory it cannot go on
/// without: a table (`PageMemory`) or a column (`RawColumn`) that cannot
/// be had, or a thread (`WorkerThread`: a limit on threads, or no memory
/// for its stack). Nothing that is already written is at risk (a checkpoint on
/// disk is whole or absent, as after a kill), but the run cannot go on.
///
/// By default the process stops with the reason (`fatalError`). The
/// command line sets `handler` once, before any run starts, to print an
/// error and exit with its documented status (`SitesumMain`), so that
/// running out of memory reads like any other failure instead of a crash.
public enum OutOfMemory {
    /// Called with what could not be had; does not return.
    nonisolated(unsafe) public static var handler: (String) -> Never = { fatalError("out of memory: \($0)") }

    /// Ends the run for want of `what`.
    static func fail(_ what: String) -> Never {
        handler(what)
    }
}
