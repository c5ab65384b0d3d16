import SitesumCore
import SitesumStore

/// Reads the input and decodes its lines into batches on two threads at once
/// — a worker thread, and the caller whenever it would otherwise wait — while
/// the caller applies the batches in file order: the state still sees every
/// line in file order, from one thread, so results and checkpoints are exactly
/// those of reading one line at a time.
///
/// Decoding costs more than applying, so a worker that only decodes would
/// leave the applying thread idle about half the time. Here a batch goes
/// through two steps: cutting (reading the next lines into the batch, most
/// of them straight from the file), in file order and by one thread at a
/// time, and decoding (splitting the lines too), by whichever thread cut it.
/// The caller, finding the next batch not ready, cuts and decodes the one
/// after instead of waiting.
///
/// A batch ends at its last whole line within `batchBytes` of its start,
/// after a line that crosses them and so came on its own (`cut(into:)`), or
/// at the end of the input or an unterminated last line. Batches are
/// recycled, and at most `depth` exist, so the input is read at most about
/// `depth` batches (plus the reader's own block) ahead of the last line the
/// caller was given — the file position stays close to the work done.
final class DecodingPipeline: @unchecked Sendable {
    // @unchecked: `reader` is used only by the thread that set `cutting`,
    // and everything else shared is in `queue`, behind its mutex. A batch
    // belongs to one thread at a time, handed over through `queue`.
    private struct Queue {
        var spare: [DecodedBatch] = []
        /// Decoded batches not handed to the caller yet, by number.
        var decoded: [Int: DecodedBatch] = [:]
        /// The number the next batch cut gets, and the one `next` hands out next.
        var nextCut = 0
        var nextOut = 0
        /// A thread is cutting a batch (using the reader).
        var cutting = false
        /// The reader has reached the end of the input (or failed): nothing more to cut.
        var inputEnded = false
        /// The read error that ended the input early, delivered after the
        /// batches before it (those numbered below `nextCut` at that point).
        var failure: SystemError?
        var stopping = false

        /// A batch can be cut now: one is spare, and the input goes on.
        var canCut: Bool { !spare.isEmpty && !cutting && !inputEnded }
    }

    private let reader: LineReader
    private let maxLineLength: Int
    private let batchBytes: UInt64
    private let queue: Monitor<Queue>
    private var worker: WorkerThread?
    /// The processor seconds the worker thread ran, set as it ends: read it
    /// after `stop` (whose join orders the write before the read).
    private(set) var workerCPUSeconds = 0.0

    /// The ids of the checkpoint the run resumed from, looked up while decoding.
    private let checkpointed: CheckpointedIDs?

    /// Starts reading `reader` on a worker thread. With `checkpointed` (the
    /// ids of a loaded checkpoint), decoding also tells which lines' ids
    /// cannot be among them (`DecodedBatch.decodeStaged`).
    init(reader: LineReader, maxLineLength: Int, batchBytes: Int, depth: Int = 3, checkpointed: CheckpointedIDs? = nil) {
        precondition(depth >= 2, "the pipeline needs a batch to fill and one to apply")
        self.checkpointed = checkpointed
        self.reader = reader
        self.maxLineLength = maxLineLength
        self.batchBytes = UInt64(max(1, batchBytes))
        queue = Monitor(Queue(spare: (0..<depth).map { _ in DecodedBatch() }))
        worker = WorkerThread(role: "decode") { [self] in produce() }
    }

    deinit { stop() }

    /// The next batch in file order; nil at the end of the input. Throws the
    /// read error that stopped the input, after every batch before it.
    /// Hand each batch back with `recycle` once applied.
    func next() throws(SystemError) -> DecodedBatch? {
        while true {
            enum Step {
                case deliver(DecodedBatch)
                case end(SystemError?)
                case cut(DecodedBatch)
            }
            let step = queue.wait(until: { queue in
                queue.decoded[queue.nextOut] != nil || queue.canCut
                    || (queue.inputEnded && !queue.cutting && queue.nextOut == queue.nextCut)
            }) { queue -> Step in
                if let batch = queue.decoded.removeValue(forKey: queue.nextOut) {
                    queue.nextOut += 1
                    return .deliver(batch)
                }
                if queue.canCut {
                    queue.cutting = true
                    return .cut(queue.spare.removeLast())
                }
                return .end(queue.failure)
            }
            switch step {
            case .deliver(let batch):
                return batch
            case .end(let failure):
                if let failure { throw failure }
                return nil
            case .cut(let batch):
                // Rather than wait for the worker, decode a batch here.
                cutAndDecode(batch)
            }
        }
    }

    /// Returns an applied batch's memory for reuse.
    func recycle(_ batch: DecodedBatch) {
        queue.update { $0.spare.append(batch) }
    }

    /// Stops the worker (it finishes the batch it is decoding) and waits for it.
    func stop() {
        queue.update { $0.stopping = true }
        worker?.join()
        worker = nil
    }

    /// The worker: cut and decode batches while there is room and input.
    private func produce() {
        defer { workerCPUSeconds = CPUClock.thread() }
        while true {
            guard let batch = queue.wait(until: { $0.canCut || $0.stopping || $0.inputEnded }, then: { queue -> DecodedBatch? in
                guard queue.canCut, !queue.stopping else { return nil }
                queue.cutting = true
                return queue.spare.removeLast()
            }) else { return }
            cutAndDecode(batch)
        }
    }

    /// Cuts the next batch of lines (the caller has set `cutting`), then
    /// decodes it outside the lock and files it under its number.
    private func cutAndDecode(_ batch: DecodedBatch) {
        batch.removeAll()
        var ended = false
        var failure: SystemError?
        do {
            ended = try cut(into: batch)
        } catch {
            failure = error
            ended = true
        }
        let number: Int? = queue.update { queue in
            queue.cutting = false
            if ended {
                queue.inputEnded = true
                queue.failure = failure
            }
            guard batch.hasStagedLines else {
                queue.spare.append(batch)
                return nil
            }
            defer { queue.nextCut += 1 }
            return queue.nextCut
        }
        guard let number else { return }
        batch.decodeStaged(limit: maxLineLength, checkpointed: checkpointed)
        queue.update { $0.decoded[number] = batch }
    }

    /// Stages lines into `batch` until it is full; true when the input ended.
    /// Lines come in pieces, to be split by whichever thread decodes the
    /// batch: read straight into the batch (`LineReader.readLines`, the usual
    /// way), or whole lines the reader already holds copied in one piece
    /// (`LineReader.nextLines`); a line longer than the room left, or than a
    /// piece, comes on its own.
    private func cut(into batch: DecodedBatch) throws(SystemError) -> Bool {
        var first: UInt64?
        var staged: UInt64 = 0
        while true {
            let room = Int(batchBytes - staged)
            var piece = reader.nextLines(upTo: room)
            var readInPlace = false
            if let lines = piece {
                batch.stageLines(lines.bytes, start: lines.start)
            } else if let lines = try reader.readLines(into: batch.stagingRoom(room), room: room) {
                batch.stageLinesInPlace(count: lines.bytes.count, start: lines.start)
                piece = lines
                readInPlace = true
            }
            if let lines = piece {
                let start = first ?? lines.start
                first = start
                staged = lines.start + UInt64(lines.bytes.count) - start
                // Lines read in place fill the room but for part of a line:
                // the next would cross the batch's end, and the reader, to
                // complete it, would read a block of its own.
                if staged >= batchBytes || readInPlace { return false }
                continue
            }
            guard let line = try reader.next() else { return true }
            if line.isTooLong {
                batch.stageTooLong(start: line.start, end: line.end, isTerminated: line.isTerminated, length: line.length)
            } else {
                batch.stage(line.bytes, start: line.start, end: line.end, isTerminated: line.isTerminated)
            }
            // Nothing follows an unterminated line: it ends the input.
            if !line.isTerminated { return true }
            let start = first ?? line.start
            first = start
            staged = line.end - start
            if staged >= batchBytes { return false }
        }
    }
}
