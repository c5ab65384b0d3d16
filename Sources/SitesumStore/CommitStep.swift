/// The points between the steps of ``CheckpointStore/commit(input:metadata:replacingAll:writeSegment:)``,
/// in the order they are reached.
///
/// Each names the state of the disk right after it, which is exactly what a crash at
/// that instant would leave behind. ``CheckpointStore/commitHook`` is called at each
/// one with the path of the file the step is about (the temporary file after a write
/// or sync, the final name after a rename, the entry directory after its sync), so
/// tests and sitesum's crash points (`SITESUM_CRASHPOINT`) can fail, tear or stop a
/// commit there and check what recovery sees.
public enum CommitStep: Sendable, CaseIterable, CustomStringConvertible {
    /// The segment's temporary file is written (not synced). Skipped when the caller appended nothing.
    case segmentWritten
    /// The segment's temporary file is synced, not yet renamed. Skipped when the caller appended nothing.
    case segmentSynced
    /// The segment has its final name; the directory is not synced. Skipped when the caller appended nothing.
    case segmentRenamed
    /// The manifest's temporary file is written (not synced).
    case manifestWritten
    /// The manifest's temporary file is synced, not yet renamed.
    case manifestSynced
    /// The manifest has its final name; the directory is not synced.
    case manifestRenamed
    /// The entry directory is synced: the checkpoint is durable. Superseded files are not yet removed.
    case directorySynced

    /// The step's name, as in the source.
    public var description: String {
        switch self {
        case .segmentWritten: "segmentWritten"
        case .segmentSynced: "segmentSynced"
        case .segmentRenamed: "segmentRenamed"
        case .manifestWritten: "manifestWritten"
        case .manifestSynced: "manifestSynced"
        case .manifestRenamed: "manifestRenamed"
        case .directorySynced: "directorySynced"
        }
    }
}
