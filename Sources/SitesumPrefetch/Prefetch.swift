import Swift  // -parse-stdlib imports nothing by itself

/// Asks the processor to start loading the cache line holding `address`,
/// without waiting for it: the instruction (`prefetcht0` on x86-64) retires
/// at once, so many such loads can be in flight while the thread goes on
/// with other work. A load whose value is kept would start the same miss,
/// but it cannot retire before its data arrives, and a few of them waiting
/// fill the processor's window.
///
/// The standard library has no prefetch, so this target is built with
/// `-parse-stdlib` (see `Package.swift`), which makes the compiler's
/// `Builtin` module visible; the function is inlinable, so each call site
/// in other modules gets the instruction itself.
@inlinable @inline(__always)
public func prefetch(_ address: UnsafeRawPointer) {
    // llvm.prefetch(address, read, locality 3 (keep in all levels), data cache).
    Builtin.int_prefetch_RawPointer(address._rawValue, Int32(0)._value, Int32(3)._value, Int32(1)._value)
}

/// `prefetch` of the cache line holding `address` and of the line after it:
/// what a lookup in an open-addressing table probes first, its home slot
/// and, when the probe runs on past the line's end, the next.
@inlinable @inline(__always)
public func prefetchLineAndNext(_ address: UnsafeRawPointer) {
    prefetch(address)
    prefetch(address + 64)
}
