#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Owns one input's entry in a cache directory: finds the newest intact checkpoint,
/// streams its state back, and commits new checkpoints atomically and incrementally.
///
/// The state is opaque records; each commit writes only what the caller appends (a
/// delta) as a new immutable segment, plus a small manifest listing the segments
/// that make up the state. The manifest's rename is the commit point. The file format,
/// the commit protocol and the recovery rules are documented in CheckpointFormat.swift.
///
/// One process at a time: the entry's `LOCK` file is held with `flock` from `init`
/// until ``close()`` (or deinit), and the kernel drops it if the process dies.
public final class CheckpointStore {
    /// The entry's directory: `<cacheDirectory>/<entryName(forInputPath:)>`.
    public let entryDirectory: String
    /// The input path this entry is for.
    public let inputPath: String
    /// Called at each step of a commit or of a merge finishing, in order, with the
    /// path of the file the step is about (see ``CommitStep``); throwing from it fails
    /// the commit (or the merge) there, exactly as an I/O error at that point would. For tests, crash points and fault injection.
    public var commitHook: ((CommitStep, _ path: String) throws -> Void)?

    private var lock: FileDescriptor?
    /// The checkpoint the next commit appends to.
    private var base: Manifest?
    /// The largest generation this process has used (for a commit or a merge), so
    /// names are never reused even if every file with a larger one was removed meanwhile.
    private var largestUsed: UInt64 = 0
    /// The largest generation of a file in the entry when it was first listed (`nextGeneration`).
    private var largestOnDisk: UInt64?
    /// The merge begun and not yet listed by a commit or abandoned: cleanup keeps its segment.
    private var pendingMerge: SegmentMerge?
    /// The block every commit's segment is gathered in (commits run one at a time).
    private let commitBlock = BlockFileWriter.Block()
    /// Emptied files waiting to be reused as temporary files (``discard(_:)``).
    private var spareFiles: [String] = []
    /// Spares named so far, for unique names.
    private var spareCount = 0

    /// Opens (creating as needed, mkdir -p) the entry for `inputPath` (already absolute/real) inside `cacheDirectory`,
    /// takes an exclusive non-blocking flock on `<entry>/LOCK` (held until the store is deinitialised/closed; throws .busy
    /// if held), removes leftover `*.tmp` files. Verifies it can write there (creating LOCK, and `access(2)` for an
    /// existing one); every failure to create or write is ``CheckpointError/cannotUseCache(path:reason:)`` naming `cacheDirectory`.
    public init(cacheDirectory: String, inputPath: String) throws(CheckpointError) {
        let entry = Self.join(cacheDirectory, Self.entryName(forInputPath: inputPath))
        self.entryDirectory = entry
        self.inputPath = inputPath

        func cannotUse(_ error: SystemError) -> CheckpointError {
            .cannotUseCache(path: cacheDirectory, reason: error.description)
        }
        let existed = (try? FileSystem.status(atPath: entry))?.isDirectory ?? false
        do throws(SystemError) {
            try FileSystem.makeDirectories(entry)
        } catch {
            throw cannotUse(error)
        }
        // Marks the directory as a cache (backup tools skip it) and as
        // sitesum's, so that `removeCache` never deletes a directory it did not make.
        try? CacheDirectoryTag.write(in: cacheDirectory)
        if !existed {
            // Make the new entry's name durable; a lost entry only costs a fresh start,
            // so a failure here is not worth refusing the cache for.
            try? FileSystem.syncDirectory(FileSystem.parentDirectory(of: entry))
        }

        let lockPath = entry + "/" + CheckpointFormat.lockName
        let lock: FileDescriptor
        do throws(SystemError) {
            lock = try FileDescriptor.open(lockPath, O_RDWR | O_CREAT, mode: 0o644)
        } catch {
            throw cannotUse(error)
        }
        let acquired: Bool
        do throws(SystemError) {
            acquired = try lock.tryLockExclusive()
        } catch {
            lock.close()
            throw cannotUse(error)
        }
        guard acquired else {
            lock.close()
            throw .busy(path: entry)
        }
        self.lock = lock

        do throws(SystemError) {
            // An existing LOCK opens read-write even where nothing new can be created
            // (a read-only mount, a directory without write permission), so ask.
            guard access(entry, W_OK | X_OK) == 0 else {
                throw SystemError(operation: "write to", path: entry, errno: .current)
            }
            for name in try FileSystem.contentsOfDirectory(entry) where name.hasSuffix(CheckpointFormat.temporarySuffix) {
                try FileSystem.removeTree(entry + "/" + name)
            }
            try writeInputFileIfMissing()
        } catch {
            close()
            throw cannotUse(error)
        }
    }

    deinit {
        close()
    }

    /// Releases the entry's lock. The store must not be used afterwards.
    public func close() {
        for spare in spareFiles {
            try? FileSystem.remove(spare)
        }
        spareFiles.removeAll()
        lock?.close()
        lock = nil
    }

    /// rm -rf of the whole cache directory; a missing directory is fine.
    /// Refuses a directory that holds files but no sitesum `CACHEDIR.TAG`: a
    /// mistyped `--cache-dir` must not delete someone's data.
    public static func removeCache(at directory: String) throws(CheckpointError) {
        let isForeign: Bool
        do throws(SystemError) {
            guard let status = try FileSystem.linkStatus(atPath: directory) else { return }
            let tagged = CacheDirectoryTag.isPresent(in: directory)
            let empty = status.isDirectory ? try FileSystem.contentsOfDirectory(directory).isEmpty : true
            isForeign = status.isDirectory && !tagged && !empty
        } catch {
            throw .cannotUseCache(path: directory, reason: error.description)
        }
        if isForeign {
            throw .cannotUseCache(
                path: directory,
                reason: "it is not a sitesum cache directory (no \(CacheDirectoryTag.name) made by sitesum), so it is left alone")
        }
        do throws(SystemError) {
            try FileSystem.removeTree(directory)
        } catch {
            throw .cannotUseCache(path: directory, reason: error.description)
        }
    }

    /// Drops every checkpoint of this entry (manifests and segments); the next commit starts a fresh chain.
    public func removeAllCheckpoints() throws(CheckpointError) {
        precondition(lock != nil, "the checkpoint store is closed")
        if let pendingMerge { abandonMerge(pendingMerge) }
        do throws(SystemError) {
            let names = try FileSystem.contentsOfDirectory(entryDirectory)
            // Manifests first: at no instant does a manifest name a removed segment.
            for name in names where CheckpointFormat.manifestGeneration(name) != nil {
                try FileSystem.remove(path(name))
            }
            for name in names where CheckpointFormat.anyGeneration(name) != nil {
                try FileSystem.removeTree(path(name))
            }
            try FileSystem.syncDirectory(entryDirectory)
        } catch {
            throw .io(error)
        }
        base = nil
        largestOnDisk = nil
    }

    /// Number of segments in the base manifest.
    public var segmentCount: Int {
        base?.segments.count ?? 0
    }

    /// Total bytes of the base manifest's segments.
    public var segmentBytes: UInt64 {
        base?.segmentBytes ?? 0
    }

    /// The checkpoint the next commit appends to (nil: none, the next commit starts a chain).
    public var baseManifest: Manifest? {
        base
    }

    /// The path of `manifest`'s file, for messages that name the checkpoint.
    public func path(of manifest: Manifest) -> String {
        path(CheckpointFormat.manifestName(manifest.generation))
    }

    // MARK: Loading

    /// The newest checkpoint whose manifest and all referenced segments are intact. Every damaged or unusable
    /// file met on the way is reported through `warn` with its path and the reason (bad magic, unknown format version N,
    /// checksum mismatch, truncated at byte N, missing segment, length mismatch, …), and the next older manifest is tried.
    /// Returns nil when none is usable. Afterwards the store's base (what the next commit appends to) is the returned manifest (or empty).
    public func loadNewest(warn: (String) -> Void) -> Manifest? {
        do {
            return try loadNewest(warn: warn, reading: { _ in nil })
        } catch {
            preconditionFailure("verifying alone throws nothing: \(error)")
        }
    }

    /// ``loadNewest(warn:)`` that also streams the chosen checkpoint's records while
    /// verifying them, so a resume reads its segments once instead of twice.
    ///
    /// For each candidate whose manifest verifies, `reading` is asked for a consumer of
    /// its DATA payloads (nil: verify only, as ``loadNewest(warn:)`` does). Payloads are
    /// delivered in order, each once its record checksum verified; a segment's whole-file
    /// checks come at its end, so when a later segment turns out damaged the candidate is
    /// dropped, reported through `warn`, and the next older one is asked for again —
    /// the caller must then start from an empty state. Errors thrown by `reading` or by
    /// a consumer end the search and are rethrown unchanged (the base is then empty).
    public func loadNewest(
        warn: (String) -> Void,
        reading: (Manifest) throws -> ((UnsafeRawBufferPointer) throws -> Void)?
    ) throws -> Manifest? {
        precondition(lock != nil, "the checkpoint store is closed")
        base = nil
        largestOnDisk = nil
        let names: [String]
        do throws(SystemError) {
            names = try FileSystem.contentsOfDirectory(entryDirectory)
        } catch {
            warn("\(error); starting without a checkpoint")
            return nil
        }
        let generations = names.compactMap(CheckpointFormat.manifestGeneration).sorted(by: >)
        candidates: for generation in generations {
            let manifestName = CheckpointFormat.manifestName(generation)
            let manifest: Manifest
            do throws(FileProblem) {
                manifest = try readManifest(generation)
            } catch {
                warn("\(path(manifestName)): \(error.reason)")
                continue
            }
            let deliver = try reading(manifest) ?? { _ in }
            var readAhead = SegmentReadAhead(segments: manifest.segments, store: self)
            for (index, segment) in manifest.segments.enumerated() {
                readAhead.advance(past: index)
                do {
                    try scanSegment(segment, deliver: deliver)
                } catch let problem as FileProblem {
                    let segmentPath = path(CheckpointFormat.segmentName(segment.generation))
                    warn("\(segmentPath): \(problem.reason); checkpoint \(path(manifestName)) is unusable")
                    continue candidates
                }
            }
            base = manifest
            return manifest
        }
        return nil
    }

    /// Streams the payload of every record of every segment of `manifest`, in order, re-verifying each record's checksum
    /// (throws .damaged if anything changed since loadNewest). Payload views are valid only during the call.
    ///
    /// Each payload is handed over once its own record checksum has verified; the
    /// whole-file checks (END record, nothing after it, file CRC) come at the end of
    /// each segment, so on a throw the caller must discard what it built so far.
    /// Errors thrown by `body` are rethrown unchanged.
    public func readRecords(of manifest: Manifest, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        precondition(lock != nil, "the checkpoint store is closed")
        for segment in manifest.segments {
            do {
                try scanSegment(segment, deliver: body)
            } catch let problem as FileProblem {
                throw error(problem, in: segment)
            }
        }
    }

    /// A problem with a segment file as the error a caller sees.
    private func error(_ problem: FileProblem, in segment: SegmentRef) -> CheckpointError {
        switch problem {
        case let .damaged(reason): .damaged(path: path(CheckpointFormat.segmentName(segment.generation)), reason: reason)
        case let .io(error): .io(error)
        }
    }

    private func readManifest(_ generation: UInt64) throws(FileProblem) -> Manifest {
        let file = try RecordFileReader.openForVerification(path(CheckpointFormat.manifestName(generation)))
        defer { file.descriptor.close() }
        let reader = RecordFileReader(file: file.descriptor, fileSize: file.size)
        return try ManifestCodec.decode(reader, generation: generation)
    }

    /// Asks the kernel to read the segments a load is about to scan while it
    /// scans the one before them: after a kill the segments are on disk, not in
    /// the page cache (a commit drops them from it), and reading them one at a
    /// time would leave the disk idle while records are verified and applied,
    /// and the cores idle while the disk reads. About `window` bytes are asked
    /// for ahead of the segment being scanned, so the cache holds little more.
    private struct SegmentReadAhead {
        static let window: UInt64 = 32 << 20
        let segments: [SegmentRef]
        let store: CheckpointStore
        /// Segments before this index have been asked for.
        var next = 0

        init(segments: [SegmentRef], store: CheckpointStore) {
            self.segments = segments
            self.store = store
        }

        /// Asks for the segments after `index` up to the window (and for
        /// `index` itself, if not yet).
        mutating func advance(past index: Int) {
            var ahead = segments[(index + 1)..<max(index + 1, next)].reduce(0) { $0 + $1.length }
            while next < segments.count && (next <= index || ahead < Self.window) {
                if next > index { ahead += segments[next].length }
                let name = store.path(CheckpointFormat.segmentName(segments[next].generation))
                if let file = try? FileDescriptor.open(name, O_RDONLY) {
                    file.prefetch()
                    file.close()
                }
                next += 1
            }
        }
    }

    /// Verifies one segment against its reference, handing each DATA payload to
    /// `deliver` as soon as its record checksum has verified.
    private func scanSegment(_ segment: SegmentRef, deliver: (UnsafeRawBufferPointer) throws -> Void) throws {
        let scan = try SegmentScan(path: path(CheckpointFormat.segmentName(segment.generation)), segment: segment)
        while let payload = try scan.next() {
            try deliver(payload)
        }
    }

    // MARK: Merging

    /// Begins merging the base's newest `count` segments into one new segment
    /// (see ``SegmentMerge``). One merge at a time: until a commit lists its
    /// segment or it is abandoned, cleanup keeps the segment and no other begins.
    public func beginMerge(newest count: Int) throws(CheckpointError) -> SegmentMerge {
        precondition(lock != nil, "the checkpoint store is closed")
        precondition(pendingMerge == nil, "a merge is already in progress")
        let segments = base?.segments ?? []
        precondition(count >= 1 && count <= segments.count, "cannot merge \(count) of \(segments.count) segments")
        let generation = try nextGeneration()
        largestUsed = generation
        let finalPath = path(CheckpointFormat.segmentName(generation))
        let file = try createTemporary(finalPath + CheckpointFormat.temporarySuffix)
        let merge = SegmentMerge(sources: Array(segments.suffix(count)), generation: generation,
                                 finalPath: finalPath, file: file)
        pendingMerge = merge
        return merge
    }

    /// Copies the next records of `merge`'s sources into its new segment, about
    /// `bytes` of them, verifying each source as ``readRecords(of:_:)`` does.
    /// After the last one the new segment is finished: written, synced, renamed and
    /// its name made durable (steps `mergeWritten`, `mergeSynced`, `mergeRenamed`);
    /// then ``SegmentMerge/result`` is set and true returned. False: more to copy.
    ///
    /// Writeback of what was copied is started as it goes, so the final sync
    /// has little left to wait for. On a throw the merge is abandoned
    /// (``abandonMerge(_:)``); the chain is untouched.
    public func continueMerge(_ merge: SegmentMerge, bytes budget: Int) throws -> Bool {
        precondition(pendingMerge === merge, "not the merge in progress")
        if merge.result != nil { return true }
        do {
            var copied = 0
            while copied < budget {
                guard let scan = merge.scan else {
                    guard merge.next < merge.sources.count else {
                        try finish(merge)
                        return true
                    }
                    let source = merge.sources[merge.next]
                    do throws(FileProblem) {
                        merge.scan = try SegmentScan(path: path(CheckpointFormat.segmentName(source.generation)), segment: source)
                    } catch {
                        throw self.error(error, in: source)
                    }
                    continue
                }
                let payload: UnsafeRawBufferPointer?
                do throws(FileProblem) {
                    payload = try scan.next()
                } catch {
                    throw self.error(error, in: merge.sources[merge.next])
                }
                guard let payload else {
                    merge.scan = nil
                    merge.next += 1
                    continue
                }
                guard merge.writer != nil else { preconditionFailure("a merge in progress has its writer") }
                try merge.writer!.append(payload)
                copied += CheckpointFormat.recordHeaderSize + payload.count
            }
            merge.unsynced += copied
            if merge.unsynced >= Self.mergeWritebackBytes, let file = merge.file {
                merge.unsynced = 0
                file.dropCachedPages()
            }
            return false
        } catch {
            abandonMerge(merge)
            throw error
        }
    }

    /// Bytes a merge copies between starting writeback.
    private static let mergeWritebackBytes = 8 << 20

    private func finish(_ merge: SegmentMerge) throws {
        guard let file = merge.file, var writer = merge.writer else { return }
        let segment = try writer.finish()
        merge.writer = nil
        try step(.mergeWritten, merge.temporaryPath)
        try sync(file)
        file.dropCachedPages()
        try step(.mergeSynced, merge.temporaryPath)
        file.close()
        merge.file = nil
        try rename(merge.temporaryPath, merge.finalPath)
        merge.result = segment
        try syncEntryDirectory()
        try step(.mergeRenamed, merge.finalPath)
    }

    /// Drops a merge that no commit lists: its files are removed (best effort).
    /// Nothing happens to a committed merge, or one that is not in progress.
    public func abandonMerge(_ merge: SegmentMerge) {
        guard pendingMerge === merge else { return }
        pendingMerge = nil
        merge.scan = nil
        merge.writer = nil
        merge.file?.close()
        merge.file = nil
        try? FileSystem.remove(merge.temporaryPath)
        try? FileSystem.remove(merge.finalPath)
    }

    /// Lists `merge`'s segment in place of its sources, if it is finished and they
    /// are consecutive in `segments`.
    private static func replaceSources(of merge: SegmentMerge, in segments: inout [SegmentRef]) -> Bool {
        guard let result = merge.result, !merge.isCommitted, let first = merge.sources.first,
              let start = segments.firstIndex(of: first),
              segments[start...].starts(with: merge.sources)
        else { return false }
        segments.replaceSubrange(start ..< start + merge.sources.count, with: [result])
        return true
    }

    // MARK: Committing

    /// Commits a new checkpoint: the caller writes the new segment's records through `writeSegment`
    /// (if it appends nothing, no segment file is made and the manifest reuses the base's segments).
    /// replacingAll=true means the new segment holds the full state (compaction): the new manifest lists only it.
    /// Protocol: segment → `<name>.tmp`, write, fsync, rename; manifest → `<name>.tmp`, write, fsync, rename; fsync the
    /// entry directory. Only then: delete manifests other than the new one and its base, and segments referenced by
    /// neither. On any error the previous good checkpoint is untouched and the store's base is unchanged; temporary
    /// files are removed (best effort). New generation = 1 + the largest generation seen on disk (even damaged ones).
    ///
    /// Because the base is unchanged after a failed commit, the next commit's segment
    /// must hold everything appended since the base, the failed commit's records included.
    /// Errors: ``CheckpointError`` for the store's own failures; whatever `writeSegment` throws, unchanged.
    ///
    /// `merged`: a finished merge (``continueMerge(_:bytes:)`` returned true) whose
    /// sources are still consecutive in the base; the new manifest lists its segment in
    /// their place, and the merge is committed. Otherwise (not finished, or `replacingAll`)
    /// it is left as it is.
    @discardableResult
    public func commit(
        input: InputIdentity, metadata: [UInt8], replacingAll: Bool, merged merge: SegmentMerge? = nil,
        writeSegment: (inout SegmentWriter) throws -> Void
    ) throws -> Manifest {
        precondition(lock != nil, "the checkpoint store is closed")
        let generation = try nextGeneration()
        let segmentPath = path(CheckpointFormat.segmentName(generation))
        let manifestPath = path(CheckpointFormat.manifestName(generation))
        guard metadata.count <= CheckpointFormat.maxPayloadLength else {
            throw CheckpointError.io(SystemError(
                operation: "write \(metadata.count) bytes of metadata (limit \(CheckpointFormat.maxPayloadLength)) to",
                path: manifestPath, errno: .fileTooLarge))
        }
        var manifestRenamed = false
        do {
            let segment = try commitSegment(generation: generation, to: segmentPath, writeSegment)
            var segments = replacingAll ? [] : base?.segments ?? []
            let usesMerge = !replacingAll && merge != nil && merge === pendingMerge
                && Self.replaceSources(of: merge!, in: &segments)
            if let segment { segments.append(segment) }
            let manifest = Manifest(generation: generation, input: input, metadata: metadata, segments: segments)

            try commitManifest(manifest, to: manifestPath)
            manifestRenamed = true
            try step(.manifestRenamed, manifestPath)

            try syncEntryDirectory()
            try step(.directorySynced, entryDirectory)

            let previous = base
            base = manifest
            largestUsed = generation
            if usesMerge, let merge {
                merge.isCommitted = true
                pendingMerge = nil
            }
            removeSuperseded(keeping: manifest, previous)
            return manifest
        } catch {
            try? FileSystem.remove(segmentPath + CheckpointFormat.temporarySuffix)
            try? FileSystem.remove(manifestPath + CheckpointFormat.temporarySuffix)
            if !manifestRenamed {
                // No manifest names the new segment, so it can go; once the manifest has its
                // name it may already be durable and must keep its segment.
                try? FileSystem.remove(segmentPath)
            }
            largestUsed = max(largestUsed, generation)
            throw error
        }
    }

    /// Step 1: the caller's records → `<segment>.tmp`, fsync, rename. Nil (and no file)
    /// when the caller appended nothing.
    private func commitSegment(
        generation: UInt64, to finalPath: String, _ writeSegment: (inout SegmentWriter) throws -> Void
    ) throws -> SegmentRef? {
        let temporaryPath = finalPath + CheckpointFormat.temporarySuffix
        let file = try createTemporary(temporaryPath)
        let segment: SegmentRef
        do {
            defer { file.close() }
            var writer = SegmentWriter(file: file, generation: generation, block: commitBlock)
            try writeSegment(&writer)
            if writer.recordCount == 0 {
                try? FileSystem.remove(temporaryPath)
                return nil
            }
            segment = try writer.finish()
            try step(.segmentWritten, temporaryPath)
            try sync(file)
            // The segment is on disk now: its pages need not stay cached (a run
            // writes about 25 bytes per event; keeping them all makes the kernel
            // reclaim memory under the run instead). Written with direct I/O, only
            // its last block is cached; without, all of it. A hint; failure is harmless.
            file.dropCachedPages()
            try step(.segmentSynced, temporaryPath)
        }
        try rename(temporaryPath, finalPath)
        try step(.segmentRenamed, finalPath)
        return segment
    }

    /// Step 2: the manifest → `<manifest>.tmp`, fsync, rename. After the rename the
    /// checkpoint exists unless a crash loses the rename before the directory is synced.
    private func commitManifest(_ manifest: Manifest, to finalPath: String) throws {
        let temporaryPath = finalPath + CheckpointFormat.temporarySuffix
        let file = try createTemporary(temporaryPath)
        do {
            defer { file.close() }
            do throws(SystemError) {
                try file.writeAll(ManifestCodec.encode(manifest))
            } catch {
                throw CheckpointError.io(error)
            }
            try step(.manifestWritten, temporaryPath)
            try sync(file)
            try step(.manifestSynced, temporaryPath)
        }
        try rename(temporaryPath, finalPath)
    }

    /// Step 3: make both renames durable.
    private func syncEntryDirectory() throws(CheckpointError) {
        do throws(SystemError) {
            try FileSystem.syncDirectory(entryDirectory)
        } catch {
            throw .io(error)
        }
    }

    /// Step 4 (best effort): remove manifests other than `manifest` and `previous`, then
    /// segments neither lists. Anything left is removed by a later commit.
    private func removeSuperseded(keeping manifest: Manifest, _ previous: Manifest?) {
        guard let names = try? FileSystem.unorderedContentsOfDirectory(entryDirectory) else { return }
        let keptManifests: Set<UInt64> = [manifest.generation, previous?.generation ?? manifest.generation]
        var keptSegments = Set((manifest.segments + (previous?.segments ?? [])).map(\.generation))
        if let pendingMerge { keptSegments.insert(pendingMerge.generation) }
        for name in names {
            if let generation = CheckpointFormat.manifestGeneration(name), !keptManifests.contains(generation) {
                discard(path(name))
            }
        }
        for name in names {
            if let generation = CheckpointFormat.segmentGeneration(name), !keptSegments.contains(generation) {
                discard(path(name))
            }
        }
    }

    /// Takes a superseded file out of the checkpoint (best effort): emptied and kept
    /// under a temporary name for ``createTemporary(_:)`` to reuse, or removed.
    ///
    /// Every commit creates two files and supersedes about two. Creating a file
    /// allocates an inode, and where ext4 runs without a journal, finding a free one
    /// skips over every inode freed in the last minute, one inode table lookup each:
    /// at `--save-interval 100000` a run removed about a hundred files a second, so
    /// each creation cost more the more had been removed before it. A rename and a
    /// truncate free the same blocks and keep the inode. Spares are `*.tmp`, so
    /// one left by a crash is removed when the entry is next opened, and ``close()``
    /// removes the rest.
    private func discard(_ path: String) {
        if spareFiles.count < Self.maxSpareFiles {
            spareCount += 1
            let spare = self.path("spare-\(spareCount)" + CheckpointFormat.temporarySuffix)
            if (try? FileSystem.rename(path, spare)) != nil {
                if (try? FileSystem.truncate(spare, to: 0)) != nil {
                    spareFiles.append(spare)
                } else {
                    try? FileSystem.remove(spare)
                }
                return
            }
        }
        try? FileSystem.remove(path)
    }

    /// At most this many emptied files are kept for reuse. A commit creates two,
    /// and a merge supersedes up to a whole chain (`--max-segments`, 256 by
    /// default): kept, its segments serve the commits after it. An empty file
    /// costs an inode and a directory entry.
    private static let maxSpareFiles = 256

    /// 1 + the largest generation named by any file in the entry or committed by us.
    ///
    /// The entry is listed once, at the first call: while this store holds the
    /// entry's lock no other process adds a file to it, and every name this
    /// one gives goes through here (`largestUsed`).
    private func nextGeneration() throws(CheckpointError) -> UInt64 {
        if largestOnDisk == nil {
            do throws(SystemError) {
                largestOnDisk = try FileSystem.unorderedContentsOfDirectory(entryDirectory)
                    .compactMap(CheckpointFormat.anyGeneration).max() ?? 0
            } catch {
                throw .io(error)
            }
        }
        let largest = max(largestUsed, largestOnDisk ?? 0)
        guard largest < UInt64.max else {
            throw .damaged(path: entryDirectory, reason: "generation numbers are exhausted")
        }
        return largest + 1
    }

    private func step(_ step: CommitStep, _ path: String) throws {
        try commitHook?(step, path)
    }

    /// Opens `path` as a new, empty file to write: a spare file renamed (see
    /// ``discard(_:)``), or a file created.
    private func createTemporary(_ path: String) throws(CheckpointError) -> FileDescriptor {
        if let spare = spareFiles.popLast(), (try? FileSystem.rename(spare, path)) == nil {
            try? FileSystem.remove(spare)
        }
        do throws(SystemError) {
            return try FileDescriptor.open(path, O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644)
        } catch {
            throw .io(error)
        }
    }

    private func sync(_ file: FileDescriptor) throws(CheckpointError) {
        do throws(SystemError) {
            try file.sync()
        } catch {
            throw .io(error)
        }
    }

    private func rename(_ from: String, _ to: String) throws(CheckpointError) {
        do throws(SystemError) {
            try FileSystem.rename(from, to)
        } catch {
            throw .io(error)
        }
    }

    private func writeInputFileIfMissing() throws(SystemError) {
        let inputFile = path(CheckpointFormat.inputName)
        if try FileSystem.linkStatus(atPath: inputFile) != nil { return }
        let temporaryPath = inputFile + CheckpointFormat.temporarySuffix
        let file = try FileDescriptor.open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644)
        do throws(SystemError) {
            try file.writeAll(Array((inputPath + "\n").utf8))
        } catch {
            file.close()
            try? FileSystem.remove(temporaryPath)
            throw error
        }
        file.close()
        try FileSystem.rename(temporaryPath, inputFile)
    }

    private func path(_ name: String) -> String {
        entryDirectory + "/" + name
    }

    private static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
