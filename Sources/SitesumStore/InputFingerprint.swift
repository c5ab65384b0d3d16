/// A cheap content hash of the part of an input a checkpoint covers.
///
/// Hashing all of a multi-gigabyte prefix would cost as much as re-reading it, which
/// is what a checkpoint exists to avoid; so it samples: the first 64 KiB (catches a
/// replaced or rewritten file), the last 64 KiB before the offset (catches a
/// truncated-and-regrown file, whose bytes at the resume point differ), and sixteen
/// 4 KiB blocks spread evenly between them. At most 192 KiB is read, with `pread`,
/// whatever the offset.
public enum InputFingerprint {
    /// Size of the leading and trailing samples.
    public static let edgeSampleSize: UInt64 = 64 * 1024
    /// Size of each inner sample.
    public static let innerSampleSize: UInt64 = 4 * 1024
    /// Number of inner samples.
    public static let innerSampleCount: UInt64 = 16

    /// A 64-bit hash of sampled bytes before `offset`: the first 64 KiB, the last 64 KiB
    /// before offset, and 16 blocks of 4 KiB at evenly spaced positions between them
    /// (clipped; overlapping samples are fine), plus offset itself.
    /// Deterministic for the same bytes; cheap for huge files (reads ≤ ~200 KiB with pread).
    ///
    /// If the file is shorter than `offset`, the bytes that exist are hashed together
    /// with how many there were, so a truncated file gets a different fingerprint.
    public static func compute(file: FileDescriptor, upTo offset: UInt64) throws(SystemError) -> UInt64 {
        var hash = StableHash64()
        hash.combine(offset)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Int(edgeSampleSize), alignment: 16)
        defer { buffer.deallocate() }
        for range in sampleRanges(upTo: offset) {
            hash.combine(range.lowerBound)
            let wanted = Int(range.upperBound - range.lowerBound)
            var got = 0
            while got < wanted {
                let slice = UnsafeMutableRawBufferPointer(rebasing: buffer[got..<wanted])
                let n = try file.read(into: slice, at: range.lowerBound + UInt64(got))
                if n == 0 { break }
                got += n
            }
            hash.combine(UnsafeRawBufferPointer(rebasing: buffer[0..<got]))
        }
        return hash.finalize()
    }

    /// The byte ranges hashed for `offset`, in the order they are hashed.
    public static func sampleRanges(upTo offset: UInt64) -> [Range<UInt64>] {
        let headEnd = min(edgeSampleSize, offset)
        let tailStart = offset > edgeSampleSize ? offset - edgeSampleSize : 0
        var ranges: [Range<UInt64>] = [0..<headEnd]
        if tailStart > headEnd {
            let span = tailStart - headEnd
            let half = innerSampleSize / 2
            for k in 0..<innerSampleCount {
                // center = headEnd + span * (2k + 1) / 32, without overflow for any span.
                let numerator = 2 * k + 1
                let denominator = 2 * innerSampleCount
                let center = headEnd + (span / denominator) * numerator + (span % denominator) * numerator / denominator
                let lower = max(headEnd, center >= half ? center - half : 0)
                let upper = min(tailStart, center + half)
                if lower < upper { ranges.append(lower..<upper) }
            }
        }
        ranges.append(tailStart..<offset)
        return ranges
    }
}
