import SitesumCore
import SitesumStore

/// Commits checkpoints on a thread of its own, so the run loop only pays for
/// serialising what changed and goes on applying lines while the segment and
/// manifest are written, checksummed and `fsync`ed.
///
/// At most one checkpoint is in the writer's hands: `submit` waits for the
/// previous one to be done first. So a kill loses at most the checkpoint being
/// written plus the lines read since it was taken — about two save intervals
/// — and memory holds at most one delta.
///
/// A commit still puts state and offset in one manifest, through the store's
/// unchanged protocol (`CheckpointStore.commit`, its steps and `commitHook`).
/// When a commit fails, its delta is kept and go first into the next
/// commit, so that commit holds everything since the last good checkpoint —
/// what the store requires after a failure.
///
/// Compaction (the chain reached `compactionSegments`) copies the records of
/// the chain's segments, in order, into the new segment ahead of the delta:
/// the same records, so the same state on loading, without the run loop
/// writing out the whole state from memory.
final class CheckpointWriter: @unchecked Sendable {
    // @unchecked: `store` and `carried` are used by the writer thread alone
    // while it runs, or by the caller once `waitUntilIdle` saw it idle;
    // everything else shared is in `shared`, behind its mutex.

    /// One checkpoint to commit: the state's records since the previous one
    /// and what the manifest says about the input and the run.
    struct Job: Sendable {
        /// The input offset the checkpoint covers.
        var offset: UInt64
        /// Lines read up to `offset`.
        var lines: UInt64
        var metadata: [UInt8]
        var delta: CheckpointDelta
    }

    /// What became of a job.
    struct Outcome: Sendable {
        var offset: UInt64
        var lines: UInt64
        /// Nil when the checkpoint is durable.
        var failure: String?
    }

    private struct Shared {
        var job: Job?
        var busy = false
        var outcomes: [Outcome] = []
        var stopping = false
    }

    private let store: CheckpointStore
    private let input: FileDescriptor
    private let device: UInt64
    private let inode: UInt64
    private let compactionSegments: Int
    private let shared = Monitor(Shared())
    /// Deltas of failed commits, oldest first, for the next commit.
    private var carried: [CheckpointDelta] = []
    private var worker: WorkerThread?

    init(store: CheckpointStore, input: FileDescriptor, status: FileStatus, compactionSegments: Int) {
        self.store = store
        self.input = input
        device = status.device
        inode = status.inode
        self.compactionSegments = compactionSegments
        worker = WorkerThread { [self] in serve() }
    }

    deinit { stop() }

    /// Hands over a checkpoint, once the previous one is done.
    func submit(_ job: Job) {
        shared.wait(until: { !$0.busy }) { shared in
            shared.job = job
            shared.busy = true
        }
    }

    /// Waits until the last checkpoint handed over is done.
    func waitUntilIdle() {
        shared.wait(until: { !$0.busy }) { _ in }
    }

    /// The outcomes of the jobs finished since the last call, in order.
    func takeOutcomes() -> [Outcome] {
        shared.update { shared in
            defer { shared.outcomes.removeAll() }
            return shared.outcomes
        }
    }

    /// Finishes the checkpoint in hand, then ends the thread.
    func stop() {
        shared.update { $0.stopping = true }
        worker?.join()
        worker = nil
    }

    private func serve() {
        while true {
            guard let job = shared.wait(until: { $0.job != nil || $0.stopping }, then: { shared -> Job? in
                defer { shared.job = nil }
                return shared.job
            }) else { return }
            let outcome = commit(job)
            shared.update { shared in
                shared.outcomes.append(outcome)
                shared.busy = false
            }
        }
    }

    private func commit(_ job: Job) -> Outcome {
        let deltas = carried + [job.delta]
        do {
            let identity = InputIdentity(
                device: device, inode: inode, offset: job.offset,
                fingerprint: try InputFingerprint.compute(file: input, upTo: job.offset))
            let compacting = store.segmentCount >= compactionSegments
            let chain = compacting ? store.baseManifest : nil
            try store.commit(input: identity, metadata: job.metadata, replacingAll: compacting) { writer in
                if let chain {
                    try store.readRecords(of: chain) { record in try writer.append(record) }
                }
                for delta in deltas { try delta.forEachRecord { try writer.append($0) } }
            }
            carried = []
            return Outcome(offset: job.offset, lines: job.lines, failure: nil)
        } catch {
            carried = deltas
            return Outcome(offset: job.offset, lines: job.lines, failure: "\(error)")
        }
    }
}
