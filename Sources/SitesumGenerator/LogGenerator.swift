/// Writes a synthetic sitesum log: valid events in shuffled time order, with
/// duplicates, malformed lines, blank lines and the encoding quirks of
/// several producers, all deterministic for a given `GeneratorOptions`.
///
/// Output is streamed in chunks of whole lines, so memory stays bounded
/// however many lines are asked for.
public struct LogGenerator: Sendable {
    /// The most bytes one chunk passed to the sink can hold.
    public static let maxChunkBytes = 1 << 20

    /// A line is always far below this, so flushing once a chunk reaches
    /// `maxChunkBytes - flushMargin` keeps every chunk within the maximum.
    static let flushMargin = 16 * 1024

    /// The options as given.
    public let options: GeneratorOptions

    public init(options: GeneratorOptions) {
        self.options = options
    }

    /// Streams the log: calls `sink` with chunks of whole lines (at most
    /// `maxChunkBytes` each). The buffer is only valid during the call.
    public func generate(_ sink: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        try generate(sink, lineKinds: { _ in })
    }

    /// Streams the log like `generate(_:)`, also reporting what each line was
    /// meant to be, in file order, before the chunk holding it is passed on.
    public func generate(
        _ sink: (UnsafeRawBufferPointer) throws -> Void,
        lineKinds: (GeneratedLineKind) -> Void
    ) rethrows {
        var source = LineSource(options: options)
        var buffer = ByteBuffer(capacity: Self.maxChunkBytes)
        let flushAt = Self.maxChunkBytes - Self.flushMargin
        for _ in 0..<max(0, options.lines) {
            lineKinds(source.writeLine(into: &buffer))
            if buffer.count >= flushAt {
                try sink(buffer.bytes)
                buffer.removeAll()
            }
        }
        if buffer.count > 0 {
            try sink(buffer.bytes)
        }
    }

    /// The whole log in memory (tests, small inputs).
    public func bytes() -> [UInt8] {
        var all: [UInt8] = []
        generate { all.append(contentsOf: $0) }
        return all
    }
}
