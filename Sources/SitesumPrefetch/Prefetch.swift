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

/// Has the kernel provide the page holding `address` for writing, the way
/// a store to it would, without changing the memory: a compare-and-swap of
/// the word there from zero to zero (`lock cmpxchg` on x86-64), which leaves
/// whatever another thread stored there (it fails, or swaps zero for zero),
/// but faults the page in as a write does. Unlike asking the kernel to
/// populate a range (`madvise(MADV_POPULATE_WRITE)`), a fault does not hold
/// the process's memory-map lock, so the process's other threads can map and
/// unmap memory meanwhile. `address` must be 8-byte aligned.
///
/// Here for the same reason as `prefetch`: the standard library's
/// `Synchronization` module has atomics only as values of their own, not
/// on a given address, and this needs the compiler's `Builtin` module.
@inlinable @inline(__always)
public func touchForWriting(_ address: UnsafeMutableRawPointer) {
    _ = Builtin.cmpxchg_monotonic_monotonic_Int64(address._rawValue, Int64(0)._value, Int64(0)._value)
}
