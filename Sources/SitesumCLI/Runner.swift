#if canImport(Glibc)
import Glibc
#endif
import SitesumCore
import SitesumStore

/// One summarising run: line reader → event decoder → activity state, with a
/// checkpoint every `saveInterval` events and a resume from the newest good
/// one at the start.
final class Runner {
    private let options: RunOptions
    private let console: Console
    private let faults: FaultInjection
    private var ingestor: LineIngestor
    private var state: ActivityState { ingestor.state }
    private let file: FileDescriptor
    private let fileStatus: FileStatus
    private var store: CheckpointStore?
    /// Commits checkpoints beside the run loop; made at the first checkpoint.
    private var checkpointWriter: CheckpointWriter?

    /// The input offset the newest checkpoint covers, and the tally then.
    private var committedOffset: UInt64 = 0
    private var linesAtCheckpoint: UInt64 = 0
    /// Where the checkpoint spacing counts from: the last checkpoint attempt.
    private var nonBlankAtAttempt: UInt64 = 0
    private var checkpointsWritten = 0
    private var checkpointFailures = 0
    private var resumedAt: (offset: UInt64, line: UInt64)?
    /// Whether the checkpoint resumed from was a finished run's whose summary
    /// was left out (`CheckpointMetadata.summaryLeftOut`).
    private var resumedWithSummaryLeftOut = false
    private var bytesRead: UInt64 = 0
    /// Lines of the summary this run prints.
    private var sitesPrinted = 0
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    /// Seconds spent loading the checkpoint, reading the input, and computing
    /// the summary (for the statistics line).
    private var loadSeconds = 0.0
    private var readSeconds = 0.0
    private var summarySeconds = 0.0
    /// Seconds the run waited for a checkpoint's commit before taking the next.
    private var commitWaitSeconds = 0.0
    /// Processor seconds the checkpoints took: collecting each delta on the
    /// run's thread, and the writer thread's commits and merges.
    private var checkpointCPUSeconds = 0.0
    /// Processor seconds, while the input was read, of the run's own thread
    /// (applying lines, and cutting and decoding batches the worker had not)
    /// and of the decoding worker: which of the two the reading waited on.
    private var applyCPUSeconds = 0.0
    private var workerCPUSeconds = 0.0

    init(options: RunOptions, console: Console, faults: FaultInjection = .none) throws(Failure) {
        self.options = options
        self.console = console
        self.faults = faults
        started = clock.now
        do {
            file = options.readsStandardInput
                ? try FileDescriptor.standardInput.duplicated()
                : try FileDescriptor.open(options.inputPath, O_RDONLY | O_CLOEXEC)
        } catch {
            throw Self.cannotOpen(options, "\(error.errno)")
        }
        do {
            fileStatus = try file.status()
        } catch {
            file.close()
            throw Self.cannotOpen(options, "\(error.errno)")
        }
        if fileStatus.isDirectory {
            file.close()
            throw Self.cannotOpen(options, "it is a directory")
        }
        ingestor = LineIngestor(state: ActivityState(tracksChanges: options.checkpoints && fileStatus.isRegularFile
                                                      && !options.readsStandardInput))
    }

    /// The input cannot be read at all, for `problem`.
    private static func cannotOpen(_ options: RunOptions, _ problem: String) -> Failure {
        Failure(.noInput, options.readsStandardInput ? "cannot read standard input: \(problem)"
                                                     : "cannot open input '\(options.inputPath)': \(problem)")
    }

    deinit {
        finishCheckpoints()
        store?.close()
        file.close()
    }

    /// Runs to the end of the input and returns the summary to print.
    func run() throws(Failure) -> [UInt8] {
        try openStore()
        defer { finishCheckpoints() }
        let summary: [UInt8]
        let loadStart = clock.now
        let resumed = try resume()
        loadSeconds = Self.seconds(clock.now - loadStart)
        if let stored = resumed {
            try checkStrict()
            summary = stored
            sitesPrinted = summary.count { $0 == UInt8(ascii: "\n") }
        } else {
            try checkStrict()
            if case .checkpointMismatch(let reason) = try readInput() {
                // The input changed under the checkpoint where its fingerprint
                // did not look: nothing built on the checkpoint can be kept.
                try startAgain(reason)
                _ = try readInput()
            }
            // The last stretch's records go to the writer now, to be written
            // while the summary is computed; the final checkpoint then only
            // adds a manifest with the summary.
            checkpoint(at: committedOffsetCandidate, atEnd: true)
            let summaryStart = clock.now
            summary = state.summaryText()
            summarySeconds = Self.seconds(clock.now - summaryStart)
            sitesPrinted = state.siteCount
            let stored = summary.count <= CheckpointMetadata.storedSummaryLimit
            checkpoint(at: committedOffsetCandidate, summary: stored ? summary : nil, summaryLeftOut: !stored, atEnd: true)
            finishCheckpoints()
        }
        return summary
    }

    /// Leaves the state to the end of the process instead of freeing it:
    /// call when the process exits next. The kernel takes a process's memory
    /// back at once, where freeing the state takes its columns back one by
    /// one, some for each site: millions of `free` calls for a log of a
    /// million small sites.
    func keepStateUntilExit() {
        _ = Unmanaged.passRetained(state)
    }

    /// Statistics for the end of the run.
    func reportEnd() {
        let tally = state.tally
        if tally.malformed > 0 {
            let first = tally.firstMalformed.first.map { " (first: \($0))" } ?? ""
            console.warning("\(tally.malformed) malformed line\(tally.malformed == 1 ? "" : "s") skipped\(first)")
        }
        if checkpointFailures > 0 {
            console.warning("\(checkpointFailures) checkpoint\(checkpointFailures == 1 ? "" : "s") could not be saved")
        }
        guard options.stats || console.showsProgress else { return }
        let seconds = Self.seconds(clock.now - started)
        let speed = seconds > 0 ? Double(bytesRead) / seconds / 1e6 : 0
        console.write(
            "sitesum: stats lines=\(tally.lines) events=\(tally.events) duplicates=\(tally.duplicates)"
            + " malformed=\(tally.malformed) blank=\(tally.blank) sites=\(sitesPrinted)"
            + " checkpoints=\(checkpointsWritten) checkpoint-failures=\(checkpointFailures)"
            + " resumed-offset=\(resumedAt?.offset ?? 0) resumed-line=\(resumedAt?.line ?? 0)"
            + " bytes-read=\(bytesRead) load=\(Format.fixed(loadSeconds, 3))s read=\(Format.fixed(readSeconds, 3))s"
            + " apply-cpu=\(Format.fixed(applyCPUSeconds, 3))s worker-cpu=\(Format.fixed(workerCPUSeconds, 3))s"
            + " summary=\(Format.fixed(summarySeconds, 3))s commit-wait=\(Format.fixed(commitWaitSeconds, 3))s"
            + " cpu=\(Format.fixed(CPUClock.process(), 3))s checkpoint-cpu=\(Format.fixed(checkpointCPUSeconds, 3))s elapsed=\(Format.fixed(seconds, 3))s speed=\(Format.fixed(speed, 1))MB/s"
            + " peak-rss=\(Format.fixed(Double(PeakMemory.bytes()) / 1_048_576, 1))MiB\n"
        )
    }

    // MARK: - Checkpoints

    private func openStore() throws(Failure) {
        guard options.checkpoints else { return }
        guard !options.readsStandardInput else {
            console.notice("reading standard input: running without checkpoints (give the file's path to have them)")
            return
        }
        guard fileStatus.isRegularFile else {
            console.notice("'\(options.inputPath)' is not a regular file: running without checkpoints")
            return
        }
        do {
            let path = try FileSystem.realPath(options.inputPath)
            try faults.reach(.cacheOpen, path: options.cacheDirectory)
            store = try CheckpointStore(cacheDirectory: options.cacheDirectory, inputPath: path)
        } catch let error as CheckpointError {
            switch error {
            case .busy(let path):
                throw Failure(.cannotCreate, "the cache entry '\(path)' is in use by another sitesum run on the same input; wait for it, or use another --cache-dir")
            default:
                throw Failure(.cannotCreate, "\(error)")
            }
        } catch {
            throw Failure(.cannotCreate, "cannot use cache directory '\(options.cacheDirectory)': \(error)")
        }
        if options.clearCache, let store {
            do {
                try store.removeAllCheckpoints()
            } catch {
                throw Failure(.cannotCreate, "cannot clear the checkpoints in '\(store.entryDirectory)': \(error)")
            }
            console.notice("cleared the checkpoints of '\(options.inputPath)'")
        }
        if faults.isActive, let store {
            // Called on the checkpoint writer's thread, while the run loop waits for the commit.
            store.commitHook = { [faults] step, path in try faults.reach(step, path: path) }
        }
    }

    /// Why `resume` gave up on the checkpoints while loading one.
    private enum ResumeStop: Error {
        /// The checkpoint cannot be used: start from the beginning, for this reason.
        case startOver(String)
        case failure(Failure)
    }

    /// Loads the newest usable checkpoint. Returns the stored summary when the
    /// input is exactly what a finished run read; otherwise prepares the state
    /// and offset to continue from (or leaves them at the start).
    ///
    /// The checkpoint's segments are read once: the store verifies each record
    /// as it hands it over, and the state is rebuilt from scratch for each
    /// candidate checkpoint, so a damaged segment found halfway through leaves
    /// nothing behind when the next older checkpoint is tried.
    private func resume() throws(Failure) -> [UInt8]? {
        guard let store else { return nil }
        var chosen: CheckpointMetadata?
        var applier: RecordApplier?
        defer { applier?.abandon() }
        let manifest: Manifest?
        do {
            manifest = try store.loadNewest(warn: { console.warning($0) }) { manifest in
                chosen = nil
                applier?.abandon()
                applier = nil
                ingestor = LineIngestor(state: ActivityState(tracksChanges: true))
                let metadata: CheckpointMetadata
                do {
                    metadata = try CheckpointMetadata.decode(manifest.metadata)
                } catch {
                    throw ResumeStop.startOver("the checkpoint '\(store.path(of: manifest))' cannot be read (\(error))")
                }
                let problem: String?
                do throws(Failure) {
                    problem = try inputChange(since: manifest.input, metadata: metadata)
                } catch {
                    throw ResumeStop.failure(error)
                }
                if let problem { throw ResumeStop.startOver("checkpoint '\(store.path(of: manifest))': \(problem)") }
                chosen = metadata
                if metadata.summary != nil && fileStatus.size == manifest.input.offset {
                    return nil  // answered from the summary: verify the segments, load nothing
                }
                state.reserveCheckpointedIDs(Int(metadata.tally.events))
                let records = RecordApplier(state: state)
                applier = records
                return { record in try records.deliver(record) }
            }
            try applier?.finish()
            applier = nil
        } catch ResumeStop.startOver(let reason) {
            ingestor = LineIngestor(state: ActivityState(tracksChanges: true))
            startOver(reason)
            return nil
        } catch ResumeStop.failure(let failure) {
            throw failure
        } catch {
            ingestor = LineIngestor(state: ActivityState(tracksChanges: true))
            startOver("the checkpoint in '\(store.entryDirectory)' cannot be loaded (\(error))")
            return nil
        }
        guard let manifest, let metadata = chosen else {
            // No checkpoint at all, or none intact: a fresh state for the whole input.
            ingestor = LineIngestor(state: ActivityState(tracksChanges: true))
            return nil
        }
        let offset = manifest.input.offset
        resumedAt = (offset, metadata.tally.lines)
        committedOffset = offset
        linesAtCheckpoint = metadata.tally.lines
        nonBlankAtAttempt = metadata.tally.nonBlank
        state.tally = metadata.tally
        if let summary = metadata.summary, fileStatus.size == offset {
            console.notice("'\(options.inputPath)' is unchanged since the run that finished it: summary taken from the checkpoint")
            return summary
        }
        resumedWithSummaryLeftOut = metadata.summaryLeftOut
        state.markCheckpointed()
        // The checkpoint holds ids as fingerprints and line offsets; the
        // state reads a line again to compare two ids with one fingerprint.
        let lines = LinesByOffset(file: file, maxLineLength: options.maxLineLength)
        state.checkpointedLines = { offset in (try? lines.line(at: offset)) ?? nil }
        skipsLineAfterResume = faults.sabotage == .skipLineAfterResume
        let percent = fileStatus.size > 0 ? Double(offset) * 100 / Double(fileStatus.size) : 100
        if metadata.summaryLeftOut && fileStatus.size == offset {
            console.notice("'\(options.inputPath)' is unchanged since the run that finished it, whose summary was too long to store: computing it from the checkpoint")
            return nil
        }
        console.notice("resuming '\(options.inputPath)' at line \(metadata.tally.lines + 1), byte \(offset) of \(fileStatus.size) (\(Format.fixed(percent, 1))%)")
        return nil
    }

    /// Why the input is no longer the one the checkpoint was made from, or nil.
    private func inputChange(since identity: InputIdentity, metadata: CheckpointMetadata) throws(Failure) -> String? {
        let path = options.inputPath
        if metadata.maxLineLength != options.maxLineLength {
            return "the checkpoint was made with --max-line-length \(metadata.maxLineLength), not \(options.maxLineLength)"
        }
        if identity.device != fileStatus.device || identity.inode != fileStatus.inode {
            return "'\(path)' is not the file the checkpoint was made from (replaced or rotated)"
        }
        if fileStatus.size < identity.offset {
            return "'\(path)' is shorter than when the checkpoint was made (\(fileStatus.size) < \(identity.offset) bytes): truncated"
        }
        let fingerprint: UInt64
        do {
            fingerprint = try InputFingerprint.compute(file: file, upTo: identity.offset)
        } catch {
            throw Failure(.ioError, "cannot read '\(path)': \(error)")
        }
        if fingerprint != identity.fingerprint {
            return "the first \(identity.offset) bytes of '\(path)' changed since the checkpoint was made (rewritten)"
        }
        return nil
    }

    /// After a resumed run found the input changed under its checkpoint
    /// (`ActivityState.checkpointMismatch`): forgets the checkpoints and the
    /// state built on them, to read the input again from the start.
    private func startAgain(_ reason: String) throws(Failure) {
        finishCheckpoints()
        startOver(reason)
        do {
            // The reader leaves the position alone at offset 0 (for pipes).
            try file.seek(to: 0)
        } catch {
            throw Failure(.ioError, "cannot read \(options.inputName): \(error)")
        }
        ingestor = LineIngestor(state: ActivityState(tracksChanges: true))
        committedOffset = 0
        committedOffsetCandidate = 0
        linesAtCheckpoint = 0
        nonBlankAtAttempt = 0
        resumedAt = nil
        holdsUnterminatedLine = false
        skipsLineAfterResume = false
    }

    private func startOver(_ reason: String) {
        console.warning("\(reason); starting over from the beginning")
        do {
            try store?.removeAllCheckpoints()
        } catch {
            console.warning("cannot remove the old checkpoints: \(error)")
        }
    }

    /// The offset a checkpoint taken now would cover: the end of the last
    /// complete line applied.
    private var committedOffsetCandidate: UInt64 = 0
    /// Set once an unterminated last line is in the state: it is counted in
    /// the summary but must never be committed, since a writer may still be
    /// completing it; the next run reads it again, whole.
    private var holdsUnterminatedLine = false
    /// The deliberate bug of `SITESUM_SABOTAGE=skip-line-after-resume` (test-only).
    private var skipsLineAfterResume = false

    /// Events between checkpoints: half the save interval (or 1), so that
    /// one checkpoint can be committed while the next half is read.
    ///
    /// A checkpoint is handed to the writer only once the one before it is
    /// committed, so whatever moment a kill strikes, the newest committed
    /// checkpoint is at most two spacings old: the save interval, the promise
    /// the stress harness checks (plus what was read ahead, at most one
    /// `--block-size`). With an interval of 1 there is no half to overlap, and
    /// the run waits for each commit.
    private var checkpointSpacing: UInt64 { UInt64(max(1, options.saveInterval / 2)) }
    private var overlapsCommits: Bool { options.saveInterval >= 2 }

    /// Takes a checkpoint of the state as covering bytes [0, offset) and hands
    /// it to the checkpoint writer, which commits it on its own thread while
    /// the run goes on. A failure is reported at the next checkpoint (or the
    /// end) and the run goes on: the previous checkpoint stays, and the next
    /// commit includes everything since it.
    ///
    /// It first waits for the commit before it, so at most one is in flight
    /// (see `checkpointSpacing`) and its outcome is known here.
    ///
    /// `atEnd`: the run ends right after it, so the writer finishes its merge
    /// in progress first and starts none.
    ///
    /// `summary`, or `summaryLeftOut` when it is too long to store
    /// (`CheckpointMetadata.storedSummaryLimit`): the run has read the whole
    /// input, and the manifest says so.
    private func checkpoint(at offset: UInt64, summary: [UInt8]? = nil, summaryLeftOut: Bool = false, atEnd: Bool = false) {
        nonBlankAtAttempt = state.tally.nonBlank
        guard let store, !holdsUnterminatedLine else { return }
        let writer = checkpointWriter ?? CheckpointWriter(
            store: store, input: file, status: fileStatus, compactionSegments: options.maxSegments)
        checkpointWriter = writer
        let waitStart = clock.now
        writer.waitUntilIdle()
        commitWaitSeconds += Self.seconds(clock.now - waitStart)
        takeCheckpointOutcomes()
        // Nothing new since the last checkpoint committed?
        // (A summary left out is news, unless the checkpoint resumed from
        // already said so and nothing was read since.)
        let leftOutIsNew = summaryLeftOut
            && !(resumedWithSummaryLeftOut && offset == resumedAt?.offset && state.tally.lines == resumedAt?.line)
        guard offset != committedOffset || state.tally.lines != linesAtCheckpoint || summary != nil || leftOutIsNew else { return }
        let collectStart = CPUClock.thread()
        let delta = state.takeCheckpointDelta()
        checkpointCPUSeconds += CPUClock.thread() - collectStart
        let metadata = CheckpointMetadata(
            maxLineLength: options.maxLineLength, tally: state.tally, summary: summary, summaryLeftOut: summaryLeftOut)
        writer.submit(CheckpointWriter.Job(
            offset: offset, lines: state.tally.lines, metadata: metadata.encoded(), delta: delta, endsRun: atEnd))
        if !atEnd && !overlapsCommits {
            writer.waitUntilIdle()
            takeCheckpointOutcomes()
        }
    }

    /// Waits for the checkpoint in the writer's hands and stops the writer.
    private func finishCheckpoints() {
        guard let writer = checkpointWriter else { return }
        writer.waitUntilIdle()
        takeCheckpointOutcomes()
        writer.stop()
        checkpointCPUSeconds += writer.cpuSeconds
        checkpointWriter = nil
    }

    private func takeCheckpointOutcomes() {
        guard let writer = checkpointWriter, let store else { return }
        for failure in writer.takeMergeFailures() {
            console.warning("could not compact the checkpoints in '\(store.entryDirectory)': \(failure); they stay as they are")
        }
        for outcome in writer.takeOutcomes() {
            if let failure = outcome.failure {
                checkpointFailures += 1
                console.warning("could not save a checkpoint at byte \(outcome.offset) in '\(store.entryDirectory)': \(failure); the previous checkpoint is kept")
            } else {
                if let written = outcome.written { state.reuse(written) }
                checkpointsWritten += 1
                committedOffset = outcome.offset
                linesAtCheckpoint = outcome.lines
                // Outcomes are taken before the next checkpoint is submitted, so the
                // disk holds exactly this checkpoint, complete, when a crash point dies here.
                try? faults.reach(.checkpointDone, path: store.entryDirectory)
            }
        }
    }

    // MARK: - Reading

    private func checkStrict() throws(Failure) {
        if options.strict, let first = state.tally.firstMalformed.first {
            throw Failure(.malformedInput, "\(first) (--strict)")
        }
    }

    /// How reading the input ended.
    private enum ReadEnd {
        case finished
        /// A line the resumed checkpoint recorded an id for no longer carries
        /// it (`ActivityState.checkpointMismatch`); nothing after it was
        /// applied or checkpointed.
        case checkpointMismatch(String)
    }

    /// Reads from the committed offset to the end of the input: a worker thread
    /// and this one read and decode (`DecodingPipeline`), this thread alone
    /// applies each line in file order and takes the checkpoints between lines.
    private func readInput() throws(Failure) -> ReadEnd {
        // The input is read ahead of the line being applied by at most about one
        // `--block-size` (six batches of a sixteenth of it, read straight into them,
        // and the reader's own reads of a quarter, for lines longer than a batch's room),
        // so that is all a kill can lose beyond the save interval.
        let readSize = max(1, options.blockSize / 4)
        let batchBytes = max(1, options.blockSize / 16)
        let reader: LineReader
        do {
            reader = try LineReader(file: file, startingAt: committedOffset,
                                    maxLineLength: options.maxLineLength, blockSize: readSize)
        } catch {
            throw Failure(.ioError, "cannot read \(options.inputName): \(error)")
        }
        if !fileStatus.isRegularFile {
            // A pipe or a terminal can keep a read waiting; a stop asked
            // meanwhile must not wait for more input to be heard.
            reader.stopWaiting = { InterruptSignal.pending != 0 }
        }
        reserveIDs(from: committedOffset)
        committedOffsetCandidate = committedOffset
        let readStart = clock.now, applyCPUStart = CPUClock.thread()
        defer {
            readSeconds += Self.seconds(clock.now - readStart)
            applyCPUSeconds += CPUClock.thread() - applyCPUStart
        }
        let startOffset = committedOffset
        var linesSinceProgress = 0
        let pipeline = DecodingPipeline(reader: reader, maxLineLength: options.maxLineLength, batchBytes: batchBytes, depth: 6,
                                        checkpointed: state.checkpointedIDs)
        defer {
            pipeline.stop()
            workerCPUSeconds += pipeline.workerCPUSeconds
        }
        // Locals, so the per-line path does not retain them through `self` each time.
        let ingestor = self.ingestor
        let state = ingestor.state
        let spacing = checkpointSpacing
        let checkpoints = store != nil
        while true {
            let next: DecodedBatch?
            do {
                next = try pipeline.next()
            } catch {
                let signal = InterruptSignal.pending
                if signal != 0 && error.errno == .interrupted { throw interrupted(by: signal) }
                throw Failure(.ioError, "cannot read \(options.inputName): \(error)")
            }
            guard let batch = next else { break }
            for index in 0..<batch.count {
                let line = batch[index]
                if skipsLineAfterResume && line.isTerminated && line.outcome == .message {
                    skipsLineAfterResume = false
                    committedOffsetCandidate = line.end
                    continue
                }
                if !line.isTerminated {
                    checkpoint(at: committedOffsetCandidate)
                    holdsUnterminatedLine = true
                }
                let outcome = ingestor.applyLine(batch, at: index)
                if let mismatch = state.checkpointMismatch {
                    console.clearProgress()
                    return .checkpointMismatch(mismatch)
                }
                bytesRead = line.end - startOffset
                if outcome == .malformed { try reportMalformed(batch.malformedReason(at: index), at: line.start) }
                guard line.isTerminated else { break }
                committedOffsetCandidate = line.end
                if checkpoints && state.tally.nonBlank - nonBlankAtAttempt >= spacing {
                    checkpoint(at: line.end)
                }
                let signal = InterruptSignal.pending
                if signal != 0 { throw interrupted(by: signal) }
                linesSinceProgress += 1
                if linesSinceProgress == 8192 {
                    linesSinceProgress = 0
                    let seconds = Self.seconds(clock.now - readStart)
                    console.progress(done: line.end, total: fileStatus.isRegularFile ? max(fileStatus.size, line.end) : nil,
                                     bytesPerSecond: seconds > 0 ? Double(line.end - startOffset) / seconds : 0)
                }
            }
            pipeline.recycle(batch)
        }
        console.clearProgress()
        let signal = InterruptSignal.pending
        if signal != 0 { throw interrupted(by: signal) }
        return .finished
    }

    /// Sizes the id sets for the ids they hold plus those of the rest of the
    /// input from `offset` on, so that they never grow on the way (growing holds the old
    /// and the new table at once: the memory peak of a run). The number of
    /// lines ahead is estimated from the bytes ahead and the mean length of the
    /// lines in the next megabyte, read with `pread` so the file position is
    /// left alone. Duplicate, blank and malformed lines make it a slight
    /// overestimate, which is the safe side. The first lines of the same
    /// megabyte, decoded, split the ids between the UUID set and the
    /// interner of other ids (`IDSample`).
    private func reserveIDs(from offset: UInt64) {
        guard fileStatus.isRegularFile, fileStatus.size > offset else { return }
        let remaining = fileStatus.size - offset
        let sampleSize = Int(min(remaining, 1 << 20))
        let sample = UnsafeMutableRawBufferPointer.allocate(byteCount: sampleSize, alignment: 16)
        defer { sample.deallocate() }
        guard let count = try? file.read(into: sample, at: offset), count > 0 else { return }
        // Counted with memchr: a byte-by-byte count took about eight
        // instructions a byte, millions for the megabyte, in every run.
        var newlines = 0
        var scanned = 0
        while scanned < count, let found = memchr(sample.baseAddress! + scanned, 0x0A, count - scanned) {
            newlines += 1
            scanned = sample.baseAddress!.distance(to: UnsafeMutableRawPointer(found)) + 1
        }
        let memory = PhysicalMemory.bytes
        state.reserveIDs(additional: Self.expectedIDs(remaining: remaining, sampled: count, newlines: newlines, memory: memory),
                         sample: IDSample.read(UnsafeRawBufferPointer(rebasing: sample[..<count]), start: offset),
                         memory: memory)
    }

    /// How many UUID ids to size the set for, when `remaining` bytes of
    /// input are ahead and a sample of `sampled` of them held `newlines`
    /// line ends, on a machine with `memory` bytes of RAM: as many as lines
    /// at the sample's mean length, but never shorter than the shortest
    /// line that brings one (`ActivityState.shortestLineWithUUID`), and no
    /// more than a set in half the memory holds (0: no bound).
    ///
    /// A sample of blank or short lines (a log that starts with a run of
    /// them) once sized the set for a line every byte or two: on a 47 MB log
    /// whose first megabyte was blank lines, a gigabyte of table. And a set
    /// sized for more than the machine has is refused, or has its pages
    /// provided (`PageMemory.populateInBackground`) until the kernel ends
    /// the process, even where duplicates or lines without a UUID id would
    /// leave most of it empty: beyond half the memory it grows as it fills.
    static func expectedIDs(remaining: UInt64, sampled: Int, newlines: Int, memory: UInt64) -> Int {
        let meanLength = max(Double(sampled) / Double(max(1, newlines)), Double(ActivityState.shortestLineWithUUID))
        let expected = Int((Double(remaining) / meanLength).rounded(.up)) + 1
        return memory == 0 ? expected : min(expected, ActivityState.reservableIDs(inBytes: memory / 2))
    }

    /// Reports a malformed line: the first few as warnings, any under `--strict` as the error that stops the run.
    private func reportMalformed(_ reason: MalformedReason, at offset: UInt64) throws(Failure) {
        let tally = state.tally
        let limit = UInt64(Tally.reportLimit)
        guard options.strict || tally.malformed <= limit + 1 else { return }
        let line = MalformedLine(line: tally.lines, offset: offset, reason: reason.description)
        if options.strict { throw Failure(.malformedInput, "\(line) (--strict)") }
        if tally.malformed <= limit {
            console.warning("skipped malformed \(line)")
        } else {
            console.warning("more malformed lines: counted, not reported")
        }
    }

    private func interrupted(by signal: Int32) -> Failure {
        console.clearProgress()
        checkpoint(at: committedOffsetCandidate, atEnd: true)
        finishCheckpoints()
        let name = InterruptSignal.name(signal)
        let message: String
        if store == nil {
            message = "stopped by \(name) at line \(state.tally.lines); no checkpoint (checkpoints are off), a new run starts over"
        } else if committedOffset == committedOffsetCandidate {
            message = "stopped by \(name) after line \(state.tally.lines); checkpoint saved at byte \(committedOffset). Run the same command again to resume"
        } else {
            message = "stopped by \(name) after line \(state.tally.lines); the checkpoint could not be saved, a new run resumes from byte \(committedOffset)"
        }
        return Failure(InterruptSignal.exitCode(for: signal), message)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

