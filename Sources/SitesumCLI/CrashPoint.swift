import SitesumStore

/// A place in a run where sitesum can be made to die (`SITESUM_CRASHPOINT`) or
/// to fail an I/O step (`SITESUM_FAULT`), for the stress harness and tests.
///
/// Most are the steps of a checkpoint commit (``CommitStep``), named for the state
/// of the disk a crash there leaves behind; the two "torn" points also cut the
/// file being written to half its length first, as a write interrupted part way
/// would. `sitesum --list-crashpoints` prints them all, in the order a run meets them.
public enum CrashPoint: String, CaseIterable, Sendable {
    case cacheOpen = "cache-open"
    case segmentTorn = "segment-torn"
    case segmentWritten = "segment-written"
    case segmentSynced = "segment-synced"
    case segmentRenamed = "segment-renamed"
    case manifestTorn = "manifest-torn"
    case manifestWritten = "manifest-written"
    case manifestSynced = "manifest-synced"
    case manifestRenamed = "manifest-renamed"
    case checkpointDurable = "checkpoint-durable"
    case checkpointDone = "checkpoint-done"
    case mergeTorn = "merge-torn"
    case mergeWritten = "merge-written"
    case mergeSynced = "merge-synced"
    case mergeRenamed = "merge-renamed"

    /// What the disk holds when the point is reached.
    public var summary: String {
        switch self {
        case .cacheOpen: "the cache entry is about to be opened and locked"
        case .segmentTorn: "the new segment's temporary file holds only half of its bytes"
        case .segmentWritten: "the new segment's temporary file is written, not synced"
        case .segmentSynced: "the new segment's temporary file is synced, not renamed"
        case .segmentRenamed: "the new segment has its name; the directory is not synced"
        case .manifestTorn: "the new manifest's temporary file holds only half of its bytes"
        case .manifestWritten: "the new manifest's temporary file is written, not synced"
        case .manifestSynced: "the new manifest's temporary file is synced, not renamed"
        case .manifestRenamed: "the new manifest has its name (the commit point); the directory is not synced"
        case .checkpointDurable: "the directory is synced: the checkpoint is durable; older files not yet removed"
        case .checkpointDone: "the checkpoint is complete and older files are removed; the run is about to go on"
        case .mergeTorn: "a merge's new segment's temporary file holds only half of its bytes"
        case .mergeWritten: "a merge's new segment's temporary file is written, not synced"
        case .mergeSynced: "a merge's new segment's temporary file is synced, not renamed"
        case .mergeRenamed: "a merge's new segment has its name, durable; no manifest lists it yet"
        }
    }

    /// Whether `SITESUM_FAULT` can fail this point: every point before a checkpoint
    /// is complete. Failing one after it would report a saved checkpoint as lost.
    var canFail: Bool {
        self != .checkpointDone
    }

    /// Whether reaching this point first cuts the file in half.
    var tears: Bool {
        self == .segmentTorn || self == .manifestTorn || self == .mergeTorn
    }

    /// The system call a fault here stands for, as in ``SystemError/operation``.
    var operation: String {
        switch self {
        case .cacheOpen: "create"
        case .segmentTorn, .segmentWritten, .manifestTorn, .manifestWritten, .mergeTorn, .mergeWritten: "write"
        case .segmentSynced, .manifestSynced, .mergeSynced: "sync"
        case .segmentRenamed, .manifestRenamed: "rename into"
        case .checkpointDurable, .checkpointDone, .mergeRenamed: "sync directory"
        }
    }

    /// The points reached at one commit step, in order: a torn point comes just
    /// before the written point of the same file.
    static func reached(at step: CommitStep) -> [CrashPoint] {
        switch step {
        case .segmentWritten: [.segmentTorn, .segmentWritten]
        case .segmentSynced: [.segmentSynced]
        case .segmentRenamed: [.segmentRenamed]
        case .manifestWritten: [.manifestTorn, .manifestWritten]
        case .manifestSynced: [.manifestSynced]
        case .manifestRenamed: [.manifestRenamed]
        case .directorySynced: [.checkpointDurable]
        case .mergeWritten: [.mergeTorn, .mergeWritten]
        case .mergeSynced: [.mergeSynced]
        case .mergeRenamed: [.mergeRenamed]
        }
    }

    /// The text of `sitesum --list-crashpoints`: one point per line, its name first.
    static var listing: String {
        let width = allCases.map(\.rawValue.count).max() ?? 0
        return allCases.map { point in
            point.rawValue + String(repeating: " ", count: width - point.rawValue.count + 2) + point.summary + "\n"
        }.joined()
    }
}
