import Swift

/// Asks the processor to start loading the cache line holding `address`,
/// without waiting for it: the instruction retires at once (x86-64
/// `prefetcht0`, arm64 `prfm pldl1keep`), so many such loads can be in
/// flight while the thread goes on with other work. A load whose value is
/// unused would do the same, except that it cannot retire before its data
/// arrives, and a few of them waiting fill the processor's window.
@inlinable @inline(__always)
public func prefetch(_ address: UnsafeRawPointer) {
    // llvm.prefetch(address, read, locality 3 (keep in all levels), data cache).
    Builtin.int_prefetch_RawPointer(address._rawValue, Int32(0)._value, Int32(3)._value, Int32(1)._value)
}
