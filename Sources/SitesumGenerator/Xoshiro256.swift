/// SplitMix64 (Steele, Lea, Flood). Used to expand one 64-bit seed into
/// xoshiro's 256-bit state, as the xoshiro authors recommend, and on its own
/// as the cheap per-line "style" generator whose whole state is one word —
/// which is what lets a line be re-rendered byte for byte from a stored seed.
/// Public so that tests can draw reproducible random inputs from the same source.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(state: UInt64) {
        self.state = state
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `0..<n` for n ≥ 1 (see `Xoshiro256.below`).
    @inline(__always)
    public mutating func below(_ n: Int) -> Int {
        Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(n)).high)
    }
}

/// xoshiro256** (Blackman, Vigna): the generator's main random stream.
///
/// Our own generator rather than the standard library's, because the output
/// must be identical for a seed on every platform and toolchain; and only
/// integer arithmetic is used on the results, so no floating-point rounding
/// can make two machines disagree.
struct Xoshiro256 {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    init(seed: UInt64) {
        var mix = SplitMix64(state: seed)
        s0 = mix.next()
        s1 = mix.next()
        s2 = mix.next()
        s3 = mix.next()
    }

    @inline(__always)
    mutating func next() -> UInt64 {
        let result = (s1 &* 5).rotatedLeft(by: 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3.rotatedLeft(by: 45)
        return result
    }

    /// Uniform in `0..<n` for n ≥ 1, by Lemire's multiply-high. The rejection
    /// step is skipped on purpose: its bias (< n / 2^64) is irrelevant for
    /// synthetic logs, and a fixed number of draws per line keeps the stream
    /// easy to reason about.
    @inline(__always)
    mutating func below(_ n: UInt64) -> UInt64 {
        next().multipliedFullWidth(by: n).high
    }

    /// An index in `0..<n` skewed towards 0: u^power scaled to n, for u
    /// uniform in [0, 1). With power 3, the first of 10 sites gets ~46% of
    /// the traffic and the last ~3.5%; with power 2, the first of 1000
    /// visitors gets ~3%. No tables, so memory does not grow with n.
    @inline(__always)
    mutating func skewed(_ n: UInt64, power: Int) -> UInt64 {
        let u = next()
        var p = u
        for _ in 1..<power {
            p = p.multipliedFullWidth(by: u).high
        }
        return p.multipliedFullWidth(by: n).high
    }
}

extension UInt64 {
    @inline(__always)
    func rotatedLeft(by k: UInt64) -> UInt64 {
        (self << k) | (self >> (64 - k))
    }

    /// The threshold t such that `next() < t` happens with probability
    /// `rate`. Computed once per run; the only floating-point step, and an
    /// exact IEEE multiplication by a power of two, so it is the same on
    /// every platform.
    static func threshold(forRate rate: Double) -> UInt64 {
        guard rate > 0 else { return 0 }  // also catches NaN
        guard rate < 1 else { return .max }
        return UInt64(rate * 0x1p64)
    }
}
