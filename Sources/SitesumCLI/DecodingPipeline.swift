import SitesumCore
import SitesumStore

/// Reads the input and decodes its lines into batches on a worker thread,
/// while the caller applies the batches before them: the two halves of the
/// per-line work run on two cores, and the state still sees every line in
/// file order, from one thread, so results and checkpoints are exactly those
/// of reading one line at a time.
///
/// A batch ends after the line that crosses `batchBytes` from its start (or
/// at the end of the input, or after an unterminated last line). Batches are
/// recycled, and at most `depth` exist, so the input is read at most about
/// `depth` batches (plus the reader's own block) ahead of the last line the
/// caller was given — the file position stays close to the work done.
final class DecodingPipeline: @unchecked Sendable {
    // @unchecked: `reader` is used by the worker thread alone once started,
    // and everything else shared is in `queue`, behind its mutex.
    private struct Queue {
        var ready: [DecodedBatch] = []
        var spare: [DecodedBatch] = []
        /// The worker has handed over its last batch.
        var finished = false
        /// The read error that ended the input early, delivered after the batches before it.
        var failure: SystemError?
        var stopping = false
    }

    private let reader: LineReader
    private let maxLineLength: Int
    private let batchBytes: UInt64
    private let queue: Monitor<Queue>
    private var worker: WorkerThread?

    /// Starts reading `reader` on a worker thread.
    init(reader: LineReader, maxLineLength: Int, batchBytes: Int, depth: Int = 3) {
        precondition(depth >= 2, "the pipeline needs a batch to fill and one to apply")
        self.reader = reader
        self.maxLineLength = maxLineLength
        self.batchBytes = UInt64(max(1, batchBytes))
        queue = Monitor(Queue(spare: (0..<depth).map { _ in DecodedBatch() }))
        worker = WorkerThread { [self] in produce() }
    }

    deinit { stop() }

    /// The next batch in file order; nil at the end of the input. Throws the
    /// read error that stopped the input, after every batch before it.
    /// Hand each batch back with `recycle` once applied.
    func next() throws(SystemError) -> DecodedBatch? {
        let (batch, failure) = queue.wait(until: { !$0.ready.isEmpty || $0.finished }) { queue -> (DecodedBatch?, SystemError?) in
            if !queue.ready.isEmpty { return (queue.ready.removeFirst(), nil) }
            return (nil, queue.failure)
        }
        if let failure { throw failure }
        return batch
    }

    /// Returns an applied batch's memory for reuse.
    func recycle(_ batch: DecodedBatch) {
        queue.update { $0.spare.append(batch) }
    }

    /// Stops the worker (it finishes the batch it is filling) and waits for it.
    func stop() {
        queue.update { $0.stopping = true }
        worker?.join()
        worker = nil
    }

    /// The worker: fill a spare batch, hand it over, until the input ends.
    private func produce() {
        while true {
            guard let batch = queue.wait(until: { !$0.spare.isEmpty || $0.stopping }, then: { queue -> DecodedBatch? in
                queue.stopping ? nil : queue.spare.removeLast()
            }) else { return }
            batch.removeAll()
            var ended = false
            var failure: SystemError?
            do {
                ended = try fill(batch)
            } catch {
                failure = error
                ended = true
            }
            queue.update { queue in
                if batch.count > 0 { queue.ready.append(batch) }
                if ended {
                    queue.finished = true
                    queue.failure = failure
                }
            }
            if ended { return }
        }
    }

    /// Decodes lines into `batch` until it is full; true when the input ended.
    private func fill(_ batch: DecodedBatch) throws(SystemError) -> Bool {
        var first: UInt64?
        while let line = try reader.next() {
            if line.isTooLong {
                batch.appendTooLong(start: line.start, end: line.end, isTerminated: line.isTerminated,
                                    length: line.length, limit: maxLineLength)
            } else {
                batch.append(line.bytes, start: line.start, end: line.end, isTerminated: line.isTerminated)
            }
            // Nothing follows an unterminated line: it ends the input.
            if !line.isTerminated { return true }
            let start = first ?? line.start
            first = start
            if line.end - start >= batchBytes { return false }
        }
        return true
    }
}
