/// What one site has accumulated: columns that only grow (see `RawColumn`).
///
/// Messages keep only their timestamp: whether a message is a chat or an email
/// depends on nothing else, and messages at the same timestamp all see the
/// same online state (statuses at that timestamp apply first). Statuses keep
/// their file offset too, because among statuses at one timestamp the later
/// line wins.
///
/// A plain value kept in the state's site table (a `RawColumn` too), so the
/// per-event path reaches a site's columns by address, with no reference to
/// count. The state owns the columns and frees them (`deallocate`).
@usableFromInline
struct SiteActivity: BitwiseCopyable {
    /// Packed in blocks once a block's worth has come (see `PackedColumn`).
    @usableFromInline var messageTimestamps = PackedColumn()
    /// The statuses in file order, each whole in one place: applying one
    /// grows one column and writes one cache line, where a column a field
    /// grew three.
    @usableFromInline var statuses = RawColumn<StatusChange>()
    /// Distinct visitors and operators, kept as counts: the pairs live in the state's pair sets.
    @usableFromInline var visitors = 0
    @usableFromInline var operators = 0
    /// Whether the site is in the state's `changedSites`: it has events the
    /// last checkpoint does not hold. Next to the visitor and operator
    /// counts, on a line of the record an event reads anyway.
    @usableFromInline var isChanged = false
    /// How much of each column the last checkpoint holds.
    @usableFromInline var committedMessages = 0
    @usableFromInline var committedStatuses = 0

    @inlinable init() {}

    @inlinable var statusCount: Int { statuses.count }

    /// Appends a status change (`operator << 1 | online`) at `timestamp`, from byte `offset`.
    @inlinable @inline(__always)
    mutating func appendStatus(_ change: UInt32, at timestamp: Int64, offset: UInt64) {
        statuses.append(StatusChange(timestamp: timestamp, offset: offset, change: change))
    }

    /// Frees the columns.
    @usableFromInline
    mutating func deallocate() {
        messageTimestamps.deallocate()
        statuses.deallocate()
    }
}

/// One status event as a site keeps it.
@usableFromInline
struct StatusChange: BitwiseCopyable {
    @usableFromInline var timestamp: Int64
    /// Byte offset of the status line in the input: its place in file order.
    @usableFromInline var offset: UInt64
    /// `operator << 1 | online`.
    @usableFromInline var change: UInt32

    @inlinable init(timestamp: Int64, offset: UInt64, change: UInt32) {
        self.timestamp = timestamp
        self.offset = offset
        self.change = change
    }
}
