#if canImport(Glibc)
import Glibc
#endif

/// A growable array of plain values that grows with `realloc`.
///
/// A site's message timestamps reach tens of millions of entries. A Swift
/// `Array` grows by allocating twice the room and copying, so for a moment it
/// holds the old and the new buffer (three times the data); and its unused
/// half is written-to memory once copied. glibc's `realloc` of a large block
/// remaps its pages instead (`mremap`), so growing costs neither a copy nor a
/// peak, and the room not yet used is never touched and never resident.
@usableFromInline
final class Column<Element: BitwiseCopyable>: RandomAccessCollection {
    @usableFromInline var base: UnsafeMutablePointer<Element>?
    @usableFromInline var storedCount = 0
    @usableFromInline var capacity = 0

    @usableFromInline init() {}

    deinit { free(base) }

    @inlinable var startIndex: Int { 0 }
    @inlinable var endIndex: Int { storedCount }

    @inlinable
    subscript(position: Int) -> Element {
        precondition(position >= 0 && position < storedCount, "column index out of range")
        return base.unsafelyUnwrapped[position]
    }

    @inlinable
    func append(_ element: Element) {
        if storedCount == capacity { reserveCapacity(Swift.max(16, capacity * 2)) }
        base.unsafelyUnwrapped[storedCount] = element
        storedCount += 1
    }

    /// Empties the column, keeping its memory.
    @usableFromInline
    func removeAll() {
        storedCount = 0
    }

    /// Makes room for `minimumCapacity` elements in all.
    @usableFromInline
    func reserveCapacity(_ minimumCapacity: Int) {
        guard minimumCapacity > capacity else { return }
        guard let grown = realloc(base, minimumCapacity * MemoryLayout<Element>.stride) else {
            fatalError("out of memory: cannot grow a column to \(minimumCapacity) elements")
        }
        base = grown.assumingMemoryBound(to: Element.self)
        capacity = minimumCapacity
    }

    /// The elements `range` as one contiguous buffer, valid during `body`.
    @inlinable
    func withUnsafeElements<R>(_ range: Range<Int>, _ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
        precondition(range.lowerBound >= 0 && range.upperBound <= storedCount, "column range out of bounds")
        return try body(UnsafeBufferPointer(start: base.map { $0 + range.lowerBound }, count: range.count))
    }
}

extension Column where Element: FixedWidthInteger {
    /// Appends the elements stored little-endian, back to back, in `bytes`
    /// (whose length is a multiple of the element's size): one copy on a
    /// little-endian machine, for loading a checkpoint's columns.
    @usableFromInline
    func append(littleEndian bytes: UnsafeRawBufferPointer) {
        let count = bytes.count / MemoryLayout<Element>.size
        precondition(count * MemoryLayout<Element>.size == bytes.count, "a partial element")
        reserveCapacity(Swift.max(storedCount + count, capacity))
        guard count > 0, let source = bytes.baseAddress else { return }
        let target = base.unsafelyUnwrapped + storedCount
        UnsafeMutableRawPointer(target).copyMemory(from: source, byteCount: bytes.count)
        #if !_endian(little)
        for i in 0..<count { target[i] = Element(littleEndian: target[i]) }
        #endif
        storedCount += count
    }
}
