/// Writes a new file in whole blocks from aligned memory, past the page cache
/// where the file system allows it (direct I/O, see ``FileDescriptor/setDirectIO(_:)``).
///
/// A run writes its checkpoints while both cores are busy reading. Through the
/// page cache, every byte written is first copied by the kernel into pages it
/// must find and clear, then written back, then dropped (sitesum does not keep
/// its segments cached): kernel time taken from the run. A direct write hands
/// the disk the writer's own block instead. Direct I/O needs memory, length and
/// file offset aligned, so bytes are gathered in a 1 MiB block that is written
/// only when full, which keeps every direct write at an aligned offset; the last,
/// partial block goes through the page cache (direct I/O turned off first). The
/// file's bytes are the same either way, and where direct I/O is refused (at
/// `fcntl`, or by a write failing with `EINVAL`) the writer goes on buffered.
///
/// Nothing here makes the file durable: the caller syncs it.
final class BlockFileWriter {
    static let blockSize = 1 << 20

    /// The aligned memory a writer gathers in. One block serves one writer at a
    /// time; reusing it for the next file spares the kernel a fresh megabyte of
    /// zeroed pages per checkpoint.
    final class Block {
        let base: UnsafeMutableRawPointer

        init() {
            base = .allocate(byteCount: BlockFileWriter.blockSize, alignment: FileDescriptor.directIOAlignment)
        }

        deinit {
            base.deallocate()
        }
    }

    let file: FileDescriptor
    private let memory: Block
    private var block: UnsafeMutableRawPointer { memory.base }
    private var used = 0
    /// Whether the next write is direct.
    private(set) var isDirect: Bool
    /// Bytes handed to the file so far.
    private(set) var bytesWritten: UInt64 = 0

    /// A writer of `file` gathering in `block`, which no other writer may use
    /// until this one is done.
    init(file: FileDescriptor, block: Block = Block(), direct: Bool = true) {
        self.file = file
        memory = block
        isDirect = direct && file.setDirectIO(true)
    }

    /// Gathers `bytes`, writing each block that fills.
    func append(_ bytes: UnsafeRawBufferPointer) throws(SystemError) {
        var rest = bytes
        while let source = rest.baseAddress, !rest.isEmpty {
            let count = min(rest.count, Self.blockSize - used)
            (block + used).copyMemory(from: source, byteCount: count)
            used += count
            rest = UnsafeRawBufferPointer(rebasing: rest[count...])
            if used == Self.blockSize {
                try write(UnsafeRawBufferPointer(start: block, count: used))
                used = 0
            }
        }
    }

    /// Writes everything gathered: the aligned part as the blocks before it, the
    /// rest through the page cache. Only appends that follow are buffered after it.
    func finish() throws(SystemError) {
        let aligned = used / FileDescriptor.directIOAlignment * FileDescriptor.directIOAlignment
        try write(UnsafeRawBufferPointer(start: block, count: aligned))
        if used > aligned {
            stopDirectIO()
            try write(UnsafeRawBufferPointer(start: block + aligned, count: used - aligned))
        }
        used = 0
    }

    private func write(_ bytes: UnsafeRawBufferPointer) throws(SystemError) {
        var rest = bytes
        while !rest.isEmpty {
            let written: Int
            do {
                written = try file.write(rest)
            } catch where isDirect && error.errno == .invalidArgument {
                // The file system wants another alignment, or none of this: go on
                // buffered, from where the file stands.
                stopDirectIO()
                continue
            }
            rest = UnsafeRawBufferPointer(rebasing: rest[written...])
            bytesWritten += UInt64(written)
        }
    }

    private func stopDirectIO() {
        if isDirect {
            _ = file.setDirectIO(false)
            isDirect = false
        }
    }
}
