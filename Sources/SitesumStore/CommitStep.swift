/// The points between the steps of ``CheckpointStore/commit(input:metadata:replacingAll:merged:writeSegment:)``,
/// in the order they are reached, and of a merge finishing in
/// ``CheckpointStore/continueMerge(_:bytes:)`` (``isMerge``).
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
    /// A merge's new segment is fully written to its temporary file (not synced).
    case mergeWritten
    /// A merge's new segment is synced, not yet renamed.
    case mergeSynced
    /// A merge's new segment has its name, made durable; no manifest lists it yet.
    case mergeRenamed

    /// The steps of a commit, in order (the others are a merge's).
    public static let commitSteps: [CommitStep] = allCases.filter { !$0.isMerge }

    /// A step of ``CheckpointStore/continueMerge(_:bytes:)`` finishing a merge, not of a commit.
    public var isMerge: Bool {
        self == .mergeWritten || self == .mergeSynced || self == .mergeRenamed
    }

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
        case .mergeWritten: "mergeWritten"
        case .mergeSynced: "mergeSynced"
        case .mergeRenamed: "mergeRenamed"
        }
    }
}
