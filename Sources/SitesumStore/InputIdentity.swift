/// Which input, and how much of it, a checkpoint belongs to.
///
/// Device and inode alone resume into the wrong file after inode reuse or a
/// copy-truncate rotation (Filebeat's lesson), so the identity also carries a
/// fingerprint of the bytes the checkpoint covers: a checkpoint is only reused when
/// the same file still holds the same bytes before `offset`.
public struct InputIdentity: Equatable, Sendable {
    /// The device the input lives on.
    public var device: UInt64
    /// The input's inode number.
    public var inode: UInt64
    /// The committed offset: the checkpoint covers bytes `[0, offset)`.
    public var offset: UInt64
    /// ``InputFingerprint`` over bytes `[0, offset)`.
    public var fingerprint: UInt64

    /// Creates an identity from its parts.
    public init(device: UInt64, inode: UInt64, offset: UInt64, fingerprint: UInt64) {
        self.device = device
        self.inode = inode
        self.offset = offset
        self.fingerprint = fingerprint
    }
}
