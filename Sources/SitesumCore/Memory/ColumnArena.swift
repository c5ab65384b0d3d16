#if canImport(Glibc)
import Glibc
#endif

/// Memory handed out in pieces from large chunks and freed all at once: the
/// columns a resume loads for sites with few values, lent to them
/// (`RawColumn.init(borrowing:count:)`).
///
/// A checkpoint of a million small sites gives each one a column of message
/// timestamps and one of statuses, of a few values each. Allocated one by
/// one, they were two million calls to `malloc` on the loading thread, and
/// each allocation's header and rounding weighed on values of 8 and 24
/// bytes. Here a piece costs an addition, and takes its own size, rounded
/// to 8 bytes. A column that grows later moves to memory of its own and
/// leaves its piece unused until the arena goes, with the state it belongs
/// to.
///
/// Not thread-safe: one thread at a time hands out pieces (the one that
/// loads the sites' columns).
final class ColumnArena {
    /// Bytes of one chunk; a piece of more than a quarter of that gets a
    /// chunk of its own size.
    static let chunkBytes = 1 << 20

    private var chunks: [UnsafeMutableRawPointer] = []
    private var next: UnsafeMutableRawPointer?
    private var end: UnsafeMutableRawPointer?
    /// Bytes of the chunks, for tests and figures.
    private(set) var bytes = 0

    init() {}

    deinit {
        for chunk in chunks { free(chunk) }
    }

    /// Room for `count` values of `type`, uninitialized; valid until the
    /// arena goes.
    func allocate<Value: BitwiseCopyable>(_ type: Value.Type, count: Int) -> UnsafeMutablePointer<Value> {
        precondition(count > 0, "a piece holds values")
        precondition(MemoryLayout<Value>.alignment <= 8, "pieces are aligned to 8 bytes")
        let size = (count * MemoryLayout<Value>.stride + 7) & ~7
        if size > Self.chunkBytes / 4 {
            return chunk(bytes: size).bindMemory(to: Value.self, capacity: count)
        }
        if next == nil || end.unsafelyUnwrapped - next.unsafelyUnwrapped < size {
            let start = chunk(bytes: Self.chunkBytes)
            next = start
            end = start + Self.chunkBytes
        }
        let piece = next.unsafelyUnwrapped
        next = piece + size
        return piece.bindMemory(to: Value.self, capacity: count)
    }

    /// A full column of copies of `values`, in a piece of the arena.
    func column<Value: BitwiseCopyable>(copying values: UnsafeBufferPointer<Value>) -> RawColumn<Value> {
        let memory = allocate(Value.self, count: values.count)
        memory.initialize(from: values.baseAddress.unsafelyUnwrapped, count: values.count)
        return RawColumn(borrowing: memory, count: values.count)
    }

    private func chunk(bytes size: Int) -> UnsafeMutableRawPointer {
        guard let chunk = malloc(size) else {
            OutOfMemory.fail("cannot allocate \(size) bytes for loaded columns")
        }
        chunks.append(chunk)
        bytes += size
        return chunk
    }
}
