import SitesumCore
import SitesumStore

/// Commits checkpoints on a thread of its own: the segment and manifest are
/// written, checksummed and `fsync`ed there while the run's other threads go on
/// reading, decoding and applying (at the end of a run, computing the summary).
///
/// Checkpoints are taken at exactly the same lines as without the writer, and
/// committed one at a time in that order, so what ends up on disk does not
/// depend on timing. It holds one checkpoint at a time: `submit` waits for the
/// one before. The run loop (`Runner`) takes checkpoints every half save
/// interval, so a kill loses at most one interval.
///
/// A commit still puts state and offset in one manifest, through the store's
/// unchanged protocol (`CheckpointStore.commit`, its steps and `commitHook`).
/// When a commit fails, its delta is kept and goes first into the next
/// commit, so that commit holds everything since the last good checkpoint —
/// what the store requires after a failure.
///
/// Compaction (the chain reached `compactionSegments`) merges the records of
/// the chain's newest segments, in order, into one new segment: the same
/// records, so the same state on loading, without the run loop writing out
/// the whole state from memory. Which segments: the newest ones that together
/// are no bigger than the segment before them (at least half the chain), or
/// the whole chain when there is no such place. So big old segments are
/// rarely copied again: each byte is rewritten a number of times logarithmic
/// in the checkpoints (base half of `compactionSegments`), where compacting
/// the whole chain every time rewrote the state over and over (quadratic in
/// the input at short save intervals).
///
/// A merge runs in the background of the commits (`SegmentMerge`): a step of
/// `mergeStepBytes` after each commit (once its outcome is out), and more
/// whenever no checkpoint is waiting, so a checkpoint never waits for more
/// than one step; the first commit
/// after the merge is finished lists its segment in place of the ones it
/// merged. The checkpoints at the end of a run finish the merge in progress
/// first (so its work is not lost) and start none. A merge that fails is
/// reported (`takeMergeFailures`) and dropped, and no other is tried in the
/// run: the chain stays as it is, only longer.
final class CheckpointWriter: @unchecked Sendable {
    // @unchecked: `store`, `carried`, `merge`, `mergesFailed` and
    // `cpuSeconds` are used by the writer thread alone while it runs, or by
    // the caller once `stop` has ended it; everything else shared is in
    // `shared`, behind its mutex.

    /// One checkpoint to commit: the state's records since the previous one
    /// and what the manifest says about the input and the run.
    struct Job: Sendable {
        /// The input offset the checkpoint covers.
        var offset: UInt64
        /// Lines read up to `offset`.
        var lines: UInt64
        var metadata: [UInt8]
        var delta: CheckpointDelta
        /// True for the checkpoints at the end of a run: they finish the
        /// merge in progress and start none.
        var endsRun = false
    }

    /// What became of a job.
    struct Outcome: Sendable {
        var offset: UInt64
        var lines: UInt64
        /// Nil when the checkpoint is durable.
        var failure: String?
        /// The committed delta, whose memory the state can use again
        /// (`ActivityState.reuse`); nil after a failure, which keeps it.
        var written: CheckpointDelta?
    }

    private struct Shared {
        /// Handed over, not yet taken up by the writer thread.
        var job: Job?
        /// A job is being committed.
        var committing = false
        var busy: Bool { committing || job != nil }
        var outcomes: [Outcome] = []
        var mergeFailures: [String] = []
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
    /// The merge in progress, begun after a commit and listed by a later one.
    private var merge: SegmentMerge?
    private var mergesFailed = false
    /// Processor seconds the writer thread used (commits and merges), known
    /// once `stop` returned.
    private(set) var cpuSeconds = 0.0
    /// Bytes a merge copies per step: a few milliseconds of work, so that a
    /// checkpoint handed over meanwhile waits no longer than that.
    static let mergeStepBytes = 1 << 20
    private var worker: WorkerThread?

    init(store: CheckpointStore, input: FileDescriptor, status: FileStatus, compactionSegments: Int) {
        self.store = store
        self.input = input
        device = status.device
        inode = status.inode
        self.compactionSegments = compactionSegments
        worker = WorkerThread(role: "commit") { [self] in serve() }
    }

    deinit { stop() }

    /// Hands over a checkpoint to commit, once the one before is committed.
    func submit(_ job: Job) {
        shared.wait(until: { !$0.busy }) { $0.job = job }
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

    /// Why merges failed since the last call, in order.
    func takeMergeFailures() -> [String] {
        shared.update { shared in
            defer { shared.mergeFailures.removeAll() }
            return shared.mergeFailures
        }
    }

    /// Commits the checkpoints in hand, drops a merge no checkpoint listed,
    /// then ends the thread.
    func stop() {
        shared.update { $0.stopping = true }
        worker?.join()
        worker = nil
    }

    private func serve() {
        // At the same priority as the run's other threads: the run hands over the
        // next checkpoint only once this one is committed, so a writer kept waiting
        // for a core (as it was at a lower priority) makes the whole run wait.
        enum Work { case commit(Job), mergeStep, stop }
        while true {
            let merging = merge != nil && merge?.result == nil
            let work = shared.wait(until: { $0.job != nil || $0.stopping || merging }, then: { shared -> Work in
                guard let job = shared.job else { return shared.stopping ? .stop : .mergeStep }
                shared.committing = true
                shared.job = nil
                return .commit(job)
            })
            switch work {
            case let .commit(job):
                let outcome = commit(job)
                shared.update { shared in
                    shared.outcomes.append(outcome)
                    shared.committing = false
                }
                // At least one step per commit, so a merge ends even when
                // checkpoints come back to back; after the outcome, so the
                // run does not wait for the step before taking the next
                // checkpoint (that one waits at most for this step).
                advanceMerge(bytes: Self.mergeStepBytes)
            case .mergeStep:
                advanceMerge(bytes: Self.mergeStepBytes)
            case .stop:
                // The run's last checkpoints listed any merge they could; what
                // is left would only be removed by the next run.
                if let merge { store.abandonMerge(merge) }
                merge = nil
                cpuSeconds = CPUClock.thread()
                return
            }
        }
    }

    /// Copies the next `bytes` of the merge in progress; reports and drops it on failure.
    private func advanceMerge(bytes: Int) {
        guard let merge, merge.result == nil else { return }
        do {
            _ = try store.continueMerge(merge, bytes: bytes)
        } catch {
            self.merge = nil
            mergesFailed = true
            shared.update { $0.mergeFailures.append("\(error)") }
        }
    }

    /// Begins a merge if none is in progress and the chain is long enough.
    private func beginMergeIfDue() {
        guard merge == nil, !mergesFailed, let base = store.baseManifest, base.segments.count >= compactionSegments else { return }
        do {
            merge = try store.beginMerge(newest: Self.segmentsToMerge(base.segments.map(\.length)))
        } catch {
            mergesFailed = true
            shared.update { $0.mergeFailures.append("\(error)") }
        }
    }

    /// How many of the newest segments (of these lengths, oldest first) a
    /// compaction merges: the shortest run of at least half of them (and at
    /// least two) that is no longer than the segment before it, or all.
    static func segmentsToMerge(_ lengths: [UInt64]) -> Int {
        let count = lengths.count
        let shortest = min(count, max(2, count / 2))
        var suffix = lengths.suffix(shortest).reduce(0, +)
        var start = count - shortest
        while start > 0 {
            if suffix <= lengths[start - 1] { return count - start }
            start -= 1
            suffix += lengths[start]
        }
        return count
    }

    private func commit(_ job: Job) -> Outcome {
        let deltas = carried + [job.delta]
        do {
            let identity = InputIdentity(
                device: device, inode: inode, offset: job.offset,
                fingerprint: try InputFingerprint.compute(file: input, upTo: job.offset))
            if job.endsRun { advanceMerge(bytes: .max) }
            try store.commit(input: identity, metadata: job.metadata, replacingAll: false, merged: merge) { writer in
                for delta in deltas { try delta.forEachRecord { try writer.append($0) } }
            }
            carried = []
            if merge?.isCommitted == true { merge = nil }
            if !job.endsRun { beginMergeIfDue() }
            return Outcome(offset: job.offset, lines: job.lines, failure: nil, written: job.delta)
        } catch {
            carried = deltas
            return Outcome(offset: job.offset, lines: job.lines, failure: "\(error)")
        }
    }
}

