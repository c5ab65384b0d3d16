/// Why a line is not a valid event. `description` is the text sitesum prints
/// after "line N (byte B): ".
public struct MalformedReason: Error, Equatable, Sendable, CustomStringConvertible {
    /// 1-based byte column in the line where the problem was found, or 0 when
    /// the problem is about the object as a whole (a missing field, say).
    public var column: Int
    /// What is wrong, in words.
    public var message: String

    public init(column: Int, message: String) {
        self.column = column
        self.message = message
    }

    public var description: String {
        column > 0 ? "column \(column): \(message)" : message
    }
}
