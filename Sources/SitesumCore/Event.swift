/// What kind of event a valid line holds. A `status` event carries its new
/// state in the kind itself, so an event is one small value with no payload.
public enum EventKind: UInt8, Sendable, Equatable, CaseIterable {
    /// A visitor wrote to the site.
    case message = 0
    /// An operator of the site went offline.
    case offline = 1
    /// An operator of the site went online.
    case online = 2
}

/// One valid event as the decoder sees it: the fields sitesum keeps, as views
/// into bytes the decoder owns (decoded escapes) or into the line itself.
///
/// The views are valid only until the next call to `EventDecoder.decode` and
/// only while the line's bytes are alive; whoever keeps a field copies it.
/// This is what lets the decoder work without allocating per line.
public struct RawEvent {
    /// `message`, `online` or `offline`.
    public var kind: EventKind
    /// The event time, any signed 64-bit value.
    public var timestamp: Int64
    /// The `id` field, escapes decoded; never empty.
    public var id: UnsafeRawBufferPointer
    /// The `from` field, escapes decoded; may be empty.
    public var from: UnsafeRawBufferPointer
    /// The `site_id` field, escapes decoded; for an integer `site_id`, its
    /// decimal text (`-0` becomes `0`).
    public var site: UnsafeRawBufferPointer
    /// The id as 128 bits when the decoder already read it as a canonical
    /// UUID (`UUIDText`); nil when it did not, which says nothing about the id.
    @usableFromInline var uuid: UUIDKey?

    /// The id as 128 bits when it is a canonical UUID (`UUIDText`), read on
    /// the way or now; nil for any other id.
    var uuidKey: UUIDKey? { uuid ?? UUIDText.parse(id) }

    @inlinable
    public init(
        kind: EventKind, timestamp: Int64,
        id: UnsafeRawBufferPointer, from: UnsafeRawBufferPointer, site: UnsafeRawBufferPointer
    ) {
        self.kind = kind
        self.timestamp = timestamp
        self.id = id
        self.from = from
        self.site = site
        uuid = nil
    }
}

/// The outcome of decoding one line.
public enum DecodeResult {
    /// The line is empty or holds only JSON whitespace (space, tab, CR): ignored.
    case blank
    /// The line is a valid event.
    case event(RawEvent)
    /// The line is not a valid event; the reason says why.
    case malformed(MalformedReason)
}
