/// The whole pipeline over bytes in memory: split into lines, decode, apply,
/// summarize. For tests and small inputs; the command line streams instead.
public enum InMemoryRun {
    /// The state after every line of `input` (remembering its additions for
    /// a checkpoint when `tracksChanges`).
    public static func state(of input: [UInt8], tracksChanges: Bool = false) -> ActivityState {
        var ingestor = LineIngestor(state: ActivityState(tracksChanges: tracksChanges))
        forEachLine(of: input) { line, offset in _ = ingestor.ingest(line, at: offset) }
        return ingestor.state
    }

    /// Calls `body` with each line of `input` (without its "\n") and the
    /// offset of its first byte, in order.
    public static func forEachLine(
        of input: [UInt8], _ body: (UnsafeRawBufferPointer, UInt64) throws -> Void
    ) rethrows {
        try input.withUnsafeBytes { bytes in
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
                try body(UnsafeRawBufferPointer(rebasing: bytes[start..<end]), UInt64(start))
                start = end + 1
            }
        }
    }

    /// The line of `input` that starts at `offset`, without its "\n": what
    /// the command line reads from the input file for a resumed state
    /// (`ActivityState.checkpointedLines`).
    public static func line(of input: [UInt8], at offset: UInt64) -> [UInt8]? {
        guard offset < UInt64(input.count) else { return nil }
        let rest = input[Int(offset)...]
        return Array(rest.prefix { $0 != UInt8(ascii: "\n") })
    }

    /// The exact text sitesum prints for `input`: one line per site, each
    /// ending in "\n", sorted by site id bytewise.
    public static func summary(of input: [UInt8]) -> String {
        String(decoding: state(of: input).summaryText(), as: UTF8.self)
    }
}
