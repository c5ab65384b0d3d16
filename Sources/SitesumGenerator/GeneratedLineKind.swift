/// What the generator meant one line to be; reported line by line by
/// `LogGenerator.generate(_:lineKinds:)` so tests can check every line
/// against an independent reading of it.
public enum GeneratedLineKind: Sendable, Equatable {
    /// A valid event with an id not seen before in a valid line.
    case event
    /// A valid event whose id an earlier valid line already has: either an
    /// exact repeat of that line or the same id with other content.
    case duplicate
    /// A line that is malformed under SPEC.md.
    case malformed
    /// An empty or whitespace-only line.
    case blank
}
