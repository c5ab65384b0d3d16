/// What happened to the lines read so far. Part of the checkpointed state, so
/// statistics after a resume equal those of one uninterrupted run.
public struct Tally: Equatable, Sendable {
    /// Every line read, blank ones included.
    public var lines: UInt64 = 0
    /// Empty or whitespace-only lines.
    public var blank: UInt64 = 0
    /// Valid events counted in the summary.
    public var events: UInt64 = 0
    /// Valid events ignored because their id came before.
    public var duplicates: UInt64 = 0
    /// Lines that are not valid events.
    public var malformed: UInt64 = 0
    /// The first malformed lines, in file order, for reports.
    public var firstMalformed: [MalformedLine] = []

    /// How many malformed lines are kept for reports.
    public static let reportLimit = 10

    public init() {}

    /// Lines that were events of some kind: the save interval counts these.
    public var nonBlank: UInt64 { lines - blank }
}

/// One malformed line, for the report on stderr.
public struct MalformedLine: Equatable, Sendable, CustomStringConvertible {
    /// 1-based line number.
    public var line: UInt64
    /// Byte offset of the line's first byte.
    public var offset: UInt64
    /// What is wrong with it.
    public var reason: String

    public init(line: UInt64, offset: UInt64, reason: String) {
        self.line = line
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "line \(line) (byte \(offset)): \(reason)" }
}
