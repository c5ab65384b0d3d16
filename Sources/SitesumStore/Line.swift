/// One line of the input as the ``LineReader`` hands it out: a view of its bytes
/// and its exact place in the file.
///
/// The offsets are what make resumption exact: a checkpoint records `end` of the
/// last line it covers, and the next run starts reading there.
public struct Line {
    /// The line without its "\n" ("\r" is not special and stays). Valid only until
    /// the next call to ``LineReader/next()``. Empty when ``isTooLong``.
    public var bytes: UnsafeRawBufferPointer
    /// File offset of the line's first byte.
    public var start: UInt64
    /// File offset just past the line's "\n" (or past its last byte when unterminated).
    public var end: UInt64
    /// False only for a last line that has no "\n" before the end of the file.
    public var isTerminated: Bool
    /// The line (without "\n") is longer than the reader's `maxLineLength`; its bytes
    /// were skipped, never buffered.
    public var isTooLong: Bool

    /// Creates a line description.
    @inlinable
    public init(bytes: UnsafeRawBufferPointer, start: UInt64, end: UInt64, isTerminated: Bool, isTooLong: Bool) {
        self.bytes = bytes
        self.start = start
        self.end = end
        self.isTerminated = isTerminated
        self.isTooLong = isTooLong
    }

    /// The line's length in the file without its "\n" (also for a too-long line).
    @inlinable
    public var length: UInt64 {
        end - start - (isTerminated ? 1 : 0)
    }
}

/// Whole lines back to back as ``LineReader/nextLines(upTo:)`` and
/// ``LineReader/readLines(into:room:)`` hand them out: each ends with its
/// "\n", the last byte included.
public struct LineRun {
    /// The lines with their "\n": in the reader's buffer, valid until its
    /// next call, or in the memory `readLines` was given.
    public var bytes: UnsafeRawBufferPointer
    /// File offset of the first line's first byte.
    public var start: UInt64

    @inlinable
    public init(bytes: UnsafeRawBufferPointer, start: UInt64) {
        self.bytes = bytes
        self.start = start
    }
}
