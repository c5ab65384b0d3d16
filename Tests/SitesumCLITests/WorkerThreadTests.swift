import Testing
@testable import SitesumCLI

/// A run's helper threads carry names, for `top -H`, debuggers and profilers.
@Suite struct WorkerThreadTests {
    /// The roles a run's threads have (`DecodingPipeline`, `CheckpointWriter`,
    /// `RecordApplier`): each thread is named, within the system's 15 bytes
    /// (a longer name is refused, leaving the program's).
    @Test(arguments: ["decode", "commit", "load", "ids"])
    func theThreadIsNamedAfterItsRole(_ role: String) {
        let seen = Monitor("")
        WorkerThread(role: role) { seen.update { $0 = ThreadName.current() ?? "" } }.join()
        #expect(seen.update { $0 } == "sitesum-" + role)
    }
}
