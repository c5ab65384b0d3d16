/// The whole pipeline over bytes in memory: split into lines, decode, apply,
/// summarize. For tests and small inputs; the command line streams instead.
public enum InMemoryRun {
    /// The exact text sitesum prints for `input`: one line per site, each
    /// ending in "\n", sorted by site id bytewise.
    public static func summary(of input: [UInt8]) -> String {
        fatalError("engine not built yet")
    }
}
