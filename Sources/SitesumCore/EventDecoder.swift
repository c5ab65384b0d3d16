/// Decodes one line of the log into a `RawEvent` (placeholder until the
/// scanner lands).
public struct EventDecoder {
    public init() {}

    public mutating func decode(_ line: UnsafeRawBufferPointer) -> DecodeResult {
        .malformed(MalformedReason(column: 0, message: "decoder not built yet"))
    }
}
