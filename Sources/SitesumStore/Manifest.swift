/// One checkpoint: which input and how much of it, the caller's metadata, and the
/// ordered segments whose records together are the state.
///
/// A manifest file is the commit point of the store: a checkpoint exists exactly when
/// its manifest is durable and intact and every segment it lists is intact.
public struct Manifest: Equatable, Sendable {
    /// The commit's generation; newer checkpoints have larger generations.
    public var generation: UInt64
    /// The input the checkpoint belongs to and the offset it covers.
    public var input: InputIdentity
    /// Opaque to the store (the caller's counters, settings, …).
    public var metadata: [UInt8]
    /// In order; the state is these segments' records, in order.
    public var segments: [SegmentRef]

    /// Creates a manifest from its parts.
    public init(generation: UInt64, input: InputIdentity, metadata: [UInt8], segments: [SegmentRef]) {
        self.generation = generation
        self.input = input
        self.metadata = metadata
        self.segments = segments
    }

    /// Total bytes of the segment files this manifest lists.
    public var segmentBytes: UInt64 {
        segments.reduce(0) { $0 + $1.length }
    }
}
