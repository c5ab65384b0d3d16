/// A manifest's pointer to one segment file, binding it by content.
///
/// The length and whole-file CRC-32C make the reference exact: a segment that was
/// truncated, extended, rewritten, or copied in from another entry under the same
/// name fails the comparison and the manifest that names it is not used.
public struct SegmentRef: Equatable, Sendable {
    /// The generation of the commit that wrote the segment; also its file name
    /// (`segment-<generation, 16 hex>.seg`) and the generation in its header.
    public var generation: UInt64
    /// The segment file's exact length in bytes.
    public var length: UInt64
    /// CRC-32C of the whole segment file.
    public var checksum: UInt32

    /// Creates a reference from its parts.
    public init(generation: UInt64, length: UInt64, checksum: UInt32) {
        self.generation = generation
        self.length = length
        self.checksum = checksum
    }
}
