/// What one site has accumulated: columns that only grow (see `Column`).
///
/// Messages keep only their timestamp: whether a message is a chat or an email
/// depends on nothing else, and messages at the same timestamp all see the
/// same online state (statuses at that timestamp apply first). Statuses keep
/// their file offset too, because among statuses at one timestamp the later
/// line wins.
///
/// A class, so that the per-event path reaches a site's columns with one
/// reference instead of copying a struct of four.
@usableFromInline
final class SiteActivity {
    @usableFromInline let messageTimestamps = Column<Int64>()
    @usableFromInline let statusTimestamps = Column<Int64>()
    /// Byte offset of each status line in the input: its place in file order.
    @usableFromInline let statusOffsets = Column<UInt64>()
    /// `operator << 1 | online` for each status.
    @usableFromInline let statusChanges = Column<UInt32>()
    /// Distinct visitors and operators, kept as counts: the pairs live in the state's pair sets.
    @usableFromInline var visitors = 0
    @usableFromInline var operators = 0
    /// How much of each column the last checkpoint holds.
    @usableFromInline var committedMessages = 0
    @usableFromInline var committedStatuses = 0

    @usableFromInline init() {}

    @inlinable var statusCount: Int { statusTimestamps.count }
}
