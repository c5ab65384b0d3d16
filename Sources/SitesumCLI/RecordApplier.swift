import SitesumCore

/// Applies checkpoint records to a state on worker threads while the caller
/// reads and verifies the next ones (`CheckpointStore.loadNewest` checks a
/// CRC-32C over every byte): on a resume, checksumming and rebuilding the
/// state overlap instead of taking turns.
///
/// Id records (`ActivityState.isIDRecord`), the most work, go to the two
/// lanes of the checkpointed ids (`CheckpointedIDs`), each to the one that
/// has taken fewer ids so far (lane 0 on a tie), so that each lane's half of
/// the table fills about as much as the other's: the caller applies lane
/// 0's between reading the others, a worker lane 1's. They touch nothing
/// the other records do. Of those, people's names and the pairs
/// (`ActivityState.isPeopleRecord`) go to a second worker and the sites'
/// columns to a third, each in their order, and the sites' names to both:
/// the second interns them, the third gives the sites their records
/// (`SiteNamesPart`). On a log of a million sites with a few events each,
/// they are most of the loading, and about as much work as each other.
/// Which lane a record goes to depends only on the records before it, so
/// the loaded table is the same whatever the threads' timing.
///
/// Records for a worker are copied in (the store's views die with each call).
/// At most `byteLimit` bytes of them wait for each worker (and as many again
/// are being applied), so memory stays at a few megabytes. The limit counts
/// bytes, not records: each checkpoint's records are a few id records of
/// about 700 KB followed by two dozen other records of about 100 KB (packed
/// timestamps, statuses), and a limit of eight records held the caller at
/// every such run until the other records' worker had caught up, while lane 1
/// had nothing to do (much of a 10M-line resume's loading time, in a thread
/// timeline). An error from applying is thrown by the next `deliver` or by
/// `finish`, which also ends the loading
/// (`ActivityState.finishLoadingCheckpoint`).
final class RecordApplier {
    private let state: ActivityState
    /// Applies the sites' names and columns.
    private let others: RecordQueue
    /// Applies people's names, other ids and pairs.
    private let people: RecordQueue
    /// Applies the id records of lane 1.
    private let laneOne: RecordQueue
    /// Ids delivered to each lane so far.
    private var laneIDs = (0, 0)

    init(state: ActivityState, byteLimit: Int = 8 << 20) {
        self.state = state
        others = RecordQueue(role: "load", byteLimit: byteLimit) { try state.applyCheckpointRecord($0, siteNames: .sites) }
        people = RecordQueue(role: "people", byteLimit: byteLimit) { try state.applyCheckpointRecord($0, siteNames: .names) }
        laneOne = RecordQueue(role: "ids", byteLimit: byteLimit) { try state.applyCheckpointRecord($0, idLane: 1) }
    }

    deinit { abandon() }

    /// Applies an id record of lane 0 now, or queues a copy of any other
    /// record for its worker, waiting while it would take the records waiting
    /// there past `byteLimit` bytes.
    func deliver(_ record: UnsafeRawBufferPointer) throws {
        guard ActivityState.isIDRecord(record) else {
            if ActivityState.isSiteNamesRecord(record) {
                try people.enqueue(record)
                return try others.enqueue(record)
            }
            return try (ActivityState.isPeopleRecord(record) ? people : others).enqueue(record)
        }
        let ids = ActivityState.idCount(ofRecord: record)
        if laneIDs.0 <= laneIDs.1 {
            laneIDs.0 += ids
            try state.applyCheckpointRecord(record, idLane: 0)
        } else {
            laneIDs.1 += ids
            try laneOne.enqueue(record)
        }
    }

    /// Waits until every record is applied and ends the loading; throws what
    /// applying a record (or ending the loading) threw.
    ///
    /// The id table is laid out as soon as both lanes are done, while the
    /// workers of the other records may still be applying theirs: the
    /// loading of the sites' columns usually ends last, and the caller (which
    /// lays out part of the table) would otherwise wait for it with nothing
    /// to do.
    func finish() throws {
        try laneOne.finish()
        try state.finishLoadingCheckpointedIDs()
        try others.finish()
        try people.finish()
        try state.finishLoadingCheckpoint()
    }

    /// Stops without caring for the outcome (the state is being thrown away).
    func abandon() {
        others.abandon()
        people.abandon()
        laneOne.abandon()
    }
}

/// Copies of records applied in their order by a worker thread of their own.
private final class RecordQueue: @unchecked Sendable {
    // @unchecked: `apply` runs on the worker alone; everything else shared
    // is in `shared`, behind its mutex.
    private struct Shared {
        var waiting: [[UInt8]] = []
        /// The bytes of `waiting`'s records.
        var waitingBytes = 0
        var closed = false
        var failure: (any Error)?
    }

    private let byteLimit: Int
    private let apply: (UnsafeRawBufferPointer) throws -> Void
    private let shared = Monitor(Shared())
    private var worker: WorkerThread?

    /// `role`: the worker thread's name (`WorkerThread`).
    init(role: String, byteLimit: Int, apply: @escaping (UnsafeRawBufferPointer) throws -> Void) {
        self.byteLimit = byteLimit
        self.apply = apply
        worker = WorkerThread(role: role) { [self] in serve() }
    }

    deinit { abandon() }

    /// Queues a copy of `record`, waiting while it would take the records
    /// waiting past `byteLimit` bytes (a record larger than that waits until
    /// none does); throws what applying an earlier one threw.
    func enqueue(_ record: UnsafeRawBufferPointer) throws {
        let copy = Array(record)
        let fits = { (shared: Shared) in shared.waiting.isEmpty || shared.waitingBytes + copy.count <= self.byteLimit }
        let failure = shared.wait(until: { fits($0) || $0.failure != nil }) { shared -> (any Error)? in
            if shared.failure == nil {
                shared.waiting.append(copy)
                shared.waitingBytes += copy.count
            }
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

    /// Stops without applying what still waits.
    func abandon() {
        shared.update {
            $0.closed = true
            $0.waiting.removeAll()
            $0.waitingBytes = 0
        }
        worker?.join()
        worker = nil
    }

    /// Takes every record waiting at once and applies them in order, while
    /// the caller queues more (so up to twice `byteLimit` bytes of records
    /// are held). Taking them one at a time from the front of the array
    /// moved all the others each time: a checkpoint of a million sites,
    /// millions of small records, spent most of a minute loading doing that.
    private func serve() {
        while true {
            let records = shared.wait(until: { !$0.waiting.isEmpty || $0.closed }) { shared -> [[UInt8]] in
                guard shared.failure == nil else { return [] }
                defer {
                    shared.waiting = []
                    shared.waitingBytes = 0
                }
                return shared.waiting
            }
            guard !records.isEmpty else { return }
            do {
                for record in records { try record.withUnsafeBytes { try apply($0) } }
            } catch {
                shared.update { $0.failure = error }
                return
            }
        }
    }
}
