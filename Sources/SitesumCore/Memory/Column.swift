#if canImport(Glibc)
import Glibc
#endif

/// A growable array of plain values that grows with `realloc`, as a plain
/// value with no reference count: its owner frees it (`deallocate`).
///
/// A site's message timestamps reach tens of millions of entries. A Swift
/// `Array` grows by allocating twice the room and copying, so for a moment it
/// holds the old and the new buffer (three times the data); and its unused
/// half is written-to memory once copied. glibc's `realloc` of a large block
/// remaps its pages instead (`mremap`), so growing costs neither a copy nor a
/// peak, and the room not yet used is never touched and never resident.
///
/// Why not a class: the per-event path appends to several columns, and a
/// column reached through a class reference is retained and released around
/// every call that might free it (an atomic pair per append). A `RawColumn` stored inside its
/// owner's storage is appended to in place. Copies share the buffer, so only
/// the owner's copy may grow or free it; `Column` is the owning class for
/// columns handed around.
///
/// A column may also hold values in memory it borrows (`init(borrowing:count:)`,
/// from a `ColumnArena`): a resume loads a million small sites' columns that
/// way instead of with a `malloc` each. Such a column is full; its first
/// append or reservation moves its values to memory of its own.
@usableFromInline
struct RawColumn<Element: BitwiseCopyable>: RandomAccessCollection, BitwiseCopyable {
    @usableFromInline var base: UnsafeMutablePointer<Element>?
    @usableFromInline var storedCount = 0
    @usableFromInline var capacity = 0

    @inlinable init() {}

    /// A full column of the `count` values at `memory`, which stays its
    /// lender's (`ColumnArena`): never grown in place or freed here. A
    /// negative capacity marks it, so that `append`'s one comparison sends
    /// the first append to `grow`, which moves the values out first.
    init(borrowing memory: UnsafeMutablePointer<Element>, count: Int) {
        precondition(count > 0, "a borrowed column holds values")
        base = memory
        storedCount = count
        capacity = -count
    }

    /// Whether the memory is borrowed (`init(borrowing:count:)`).
    @inlinable var isBorrowed: Bool { capacity < 0 }

    @inlinable var startIndex: Int { 0 }
    @inlinable var endIndex: Int { storedCount }

    @inlinable
    subscript(position: Int) -> Element {
        get {
            precondition(position >= 0 && position < storedCount, "column index out of range")
            return base.unsafelyUnwrapped[position]
        }
        nonmutating set {
            precondition(position >= 0 && position < storedCount, "column index out of range")
            base.unsafelyUnwrapped[position] = newValue
        }
    }

    /// Element `position`, to change in place (`column.element(i).pointee.x += 1`).
    @inlinable @inline(__always)
    func element(_ position: Int) -> UnsafeMutablePointer<Element> {
        precondition(position >= 0 && position < storedCount, "column index out of range")
        return base.unsafelyUnwrapped + position
    }

    @inlinable @inline(__always)
    mutating func append(_ element: Element) {
        if storedCount >= capacity { grow() }
        base.unsafelyUnwrapped[storedCount] = element
        storedCount &+= 1
    }

    /// Doubles the room; out of line, so `append` stays small.
    @usableFromInline @inline(never)
    mutating func grow() {
        reserveCapacity(Swift.max(4, Swift.abs(capacity) * 2))
    }

    /// Empties the column, keeping its memory.
    @usableFromInline
    mutating func removeAll() {
        storedCount = 0
    }

    /// Makes room for `minimumCapacity` elements in all.
    @usableFromInline
    mutating func reserveCapacity(_ minimumCapacity: Int) {
        if isBorrowed {
            guard minimumCapacity > -capacity else { return }
            guard let owned = malloc(minimumCapacity * MemoryLayout<Element>.stride) else {
                OutOfMemory.fail("cannot grow a column to \(minimumCapacity) elements (\(minimumCapacity * MemoryLayout<Element>.stride) bytes)")
            }
            let moved = owned.bindMemory(to: Element.self, capacity: minimumCapacity)
            moved.initialize(from: base.unsafelyUnwrapped, count: storedCount)
            base = moved
            capacity = minimumCapacity
            return
        }
        guard minimumCapacity > capacity else { return }
        guard let grown = realloc(base, minimumCapacity * MemoryLayout<Element>.stride) else {
            OutOfMemory.fail("cannot grow a column to \(minimumCapacity) elements (\(minimumCapacity * MemoryLayout<Element>.stride) bytes)")
        }
        base = grown.assumingMemoryBound(to: Element.self)
        capacity = minimumCapacity
    }

    /// Appends `count` elements that `fill` writes into the room for them
    /// (all of it, unless it throws: then nothing is appended). The room
    /// grows by doubling, so loading a column record by record stays linear.
    @usableFromInline
    mutating func append<E: Error>(count: Int, _ fill: (UnsafeMutableBufferPointer<Element>) throws(E) -> Void) throws(E) {
        if storedCount + count > capacity { reserveCapacity(Swift.max(storedCount + count, Swift.abs(capacity) * 2)) }
        guard count > 0 else { return }
        try fill(UnsafeMutableBufferPointer(start: base.unsafelyUnwrapped + storedCount, count: count))
        storedCount += count
    }

    /// Frees the memory and empties the column.
    @usableFromInline
    mutating func deallocate() {
        if !isBorrowed { free(base) }
        self = RawColumn()
    }

    /// The elements `range` as one contiguous buffer, valid during `body`.
    @inlinable
    func withUnsafeElements<R>(_ range: Range<Int>, _ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
        precondition(range.lowerBound >= 0 && range.upperBound <= storedCount, "column range out of bounds")
        return try body(UnsafeBufferPointer(start: base.map { $0 + range.lowerBound }, count: range.count))
    }
}

extension RawColumn where Element: FixedWidthInteger {
    /// Appends the elements stored little-endian, back to back, in `bytes`
    /// (whose length is a multiple of the element's size): one copy on a
    /// little-endian machine, for loading a checkpoint's columns. The room
    /// grows by doubling, not by exactly each call, so loading stays linear.
    @usableFromInline
    mutating func append(littleEndian bytes: UnsafeRawBufferPointer) {
        let count = bytes.count / MemoryLayout<Element>.size
        precondition(count * MemoryLayout<Element>.size == bytes.count, "a partial element")
        if storedCount + count > capacity { reserveCapacity(Swift.max(storedCount + count, Swift.abs(capacity) * 2)) }
        guard count > 0, let source = bytes.baseAddress else { return }
        let target = base.unsafelyUnwrapped + storedCount
        UnsafeMutableRawPointer(target).copyMemory(from: source, byteCount: bytes.count)
        #if !_endian(little)
        for i in 0..<count { target[i] = Element(littleEndian: target[i]) }
        #endif
        storedCount += count
    }
}

/// A `RawColumn` that owns its memory and frees it when the last reference
/// goes: for a column that changes hands (a checkpoint's new ids, moved to the
/// writer thread) or lives on its own.
@usableFromInline
final class Column<Element: BitwiseCopyable> {
    @usableFromInline var storage: RawColumn<Element>

    @usableFromInline init() { storage = RawColumn() }

    /// Takes over `storage`, which nothing else may use or free any more.
    @usableFromInline init(adopting storage: RawColumn<Element>) { self.storage = storage }

    deinit { storage.deallocate() }
}
