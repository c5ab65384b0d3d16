import SitesumCore

/// Applies checkpoint records to a state on a worker thread while the caller
/// reads and verifies the next ones (`CheckpointStore.loadNewest` checks a
/// CRC-32C over every byte): on a resume, checksumming and rebuilding the
/// state overlap instead of taking turns.
///
/// Records are copied in (the store's views die with each call) and applied
/// in the order given. At most `depth` wait, so memory stays at a few records.
/// An error from applying is thrown by the next `deliver` or by `finish`.
///
/// Id records (`ActivityState.isIDRecord`), the most work, are applied by
/// the caller itself, in their order, between reading the others: they touch
/// nothing the other records do, and the caller's thread is otherwise mostly
/// waiting for the disk or for the worker.
final class RecordApplier: @unchecked Sendable {
    // @unchecked: until `finish` joined the worker, the worker applies the
    // records other than id records to `state`, and the caller the id records,
    // which change only the state's checkpointed ids (no other record, nor
    // anything else, touches them while loading); everything else shared is
    // in `shared`, behind its mutex.
    private struct Shared {
        var waiting: [[UInt8]] = []
        var closed = false
        var failure: (any Error)?
    }

    private let state: ActivityState
    private let depth: Int
    private let shared = Monitor(Shared())
    private var worker: WorkerThread?

    init(state: ActivityState, depth: Int = 8) {
        self.state = state
        self.depth = depth
        worker = WorkerThread { [self] in serve() }
    }

    deinit { abandon() }

    /// Applies an id record now, or queues a copy of any other, waiting while
    /// `depth` records already wait.
    func deliver(_ record: UnsafeRawBufferPointer) throws {
        if ActivityState.isIDRecord(record) {
            try state.applyCheckpointRecord(record)
            return
        }
        let copy = Array(record)
        let failure = shared.wait(until: { $0.waiting.count < self.depth || $0.failure != nil }) { shared -> (any Error)? in
            if shared.failure == nil { shared.waiting.append(copy) }
            return shared.failure
        }
        if let failure { throw failure }
    }

    /// Waits until every record is applied; throws what applying one threw.
    func finish() throws {
        shared.update { $0.closed = true }
        worker?.join()
        worker = nil
        if let failure = shared.update({ $0.failure }) { throw failure }
    }

    /// Stops without caring for the outcome (the state is being thrown away).
    func abandon() {
        shared.update {
            $0.closed = true
            $0.waiting.removeAll()
        }
        worker?.join()
        worker = nil
    }

    private func serve() {
        while true {
            guard let record = shared.wait(until: { !$0.waiting.isEmpty || $0.closed }, then: { shared -> [UInt8]? in
                shared.waiting.isEmpty || shared.failure != nil ? nil : shared.waiting.removeFirst()
            }) else { return }
            do {
                try record.withUnsafeBytes { try state.applyCheckpointRecord($0) }
            } catch {
                shared.update { $0.failure = error }
                return
            }
        }
    }
}
