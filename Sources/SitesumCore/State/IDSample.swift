import Glibc

/// What the start of the input ahead says of its ids: how many of its events
/// carry a canonical UUID id and how many another one, and how long those
/// others are. A run sizes its two id sets from it (`ActivityState.reserveIDs`):
/// the 128-bit set for the UUIDs, the interner that keeps every other id
/// whole for the rest. Without it, a log of other ids (`"evt-1042"`, numbers,
/// ULIDs) had a UUID table sized for every line, hundreds of megabytes that
/// stayed empty, and an interner that doubled its way up as it filled.
public struct IDSample: Equatable, Sendable {
    /// Events whose id is a canonical UUID.
    public var uuids = 0
    /// Events with any other id.
    public var others = 0
    /// The other ids' bytes, escapes decoded.
    public var otherBytes = 0

    public init(uuids: Int = 0, others: Int = 0, otherBytes: Int = 0) {
        self.uuids = uuids
        self.others = others
        self.otherBytes = otherBytes
    }

    /// Events with an id of either kind.
    public var events: Int { uuids + others }

    /// How many bytes of a sample `read` decodes at most: a few hundred
    /// lines of a typical log, enough to tell the kinds of ids apart, for a
    /// small part of a millisecond.
    public static let decodedBytes = 64 << 10

    /// Decodes the whole lines among the first `decodedBytes` of `bytes`,
    /// which start at byte `start` of the input (on a line's start). A line
    /// the sample cuts (one without its "\n" in it) is left out.
    public static func read(_ bytes: UnsafeRawBufferPointer, start: UInt64) -> IDSample {
        var sample = IDSample()
        var decoder = EventDecoder()
        let count = min(bytes.count, decodedBytes)
        var offset = 0
        while offset < count, let base = bytes.baseAddress,
              let newline = memchr(base + offset, 0x0A, count - offset) {
            let end = base.distance(to: UnsafeRawPointer(newline))
            let line = UnsafeRawBufferPointer(rebasing: bytes[offset..<end])
            if case .event(let event) = decoder.decode(DecodedBatch.eventBytes(line, start: start + UInt64(offset))) {
                if event.uuidKey != nil {
                    sample.uuids += 1
                } else {
                    sample.others += 1
                    sample.otherBytes += event.id.count
                }
            }
            offset = end + 1
        }
        return sample
    }
}
