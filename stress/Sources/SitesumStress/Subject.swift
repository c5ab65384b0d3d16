import Foundation
import SitesumGenerator

/// The log the scenarios work on: its bytes, its reference answer, and where
/// its lines end.
struct Subject {
    /// The pristine copy; scenarios copy it before changing anything.
    let path: String
    let bytes: [UInt8]
    let reference: [UInt8]
    let lines: LineMap
    /// Wall time of the uninterrupted reference run, to aim kills inside a run.
    let referenceSeconds: Double

    var lineCount: Int { lines.count }
    var size: UInt64 { UInt64(bytes.count) }

    /// The offset just past line `index` (1-based), or the size for a larger index.
    func offset(afterLine index: Int) -> UInt64 {
        lines.offset(afterLine: index) ?? size
    }
}

/// Where the lines of an input end, to turn the byte positions of kills and
/// resumes into the number of lines re-read.
struct LineMap {
    /// The offset just past each "\n", in order.
    private let ends: [UInt64]
    /// Offsets just past each line that holds only JSON whitespace (not events; the save interval does not count them).
    private let blankEnds: [UInt64]
    /// Offsets just past each other line: where checkpoints can be taken.
    private let nonBlankEnds: [UInt64]

    init(_ bytes: [UInt8]) {
        var ends: [UInt64] = []
        var blankEnds: [UInt64] = []
        var nonBlankEnds: [UInt64] = []
        var blank = true
        for (index, byte) in bytes.enumerated() {
            switch byte {
            case UInt8(ascii: "\n"):
                ends.append(UInt64(index + 1))
                if blank { blankEnds.append(UInt64(index + 1)) } else { nonBlankEnds.append(UInt64(index + 1)) }
                blank = true
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                break
            default:
                blank = false
            }
        }
        self.ends = ends
        self.blankEnds = blankEnds
        self.nonBlankEnds = nonBlankEnds
    }

    /// Terminated lines.
    var count: Int { ends.count }

    func offset(afterLine index: Int) -> UInt64? {
        index >= 1 && index <= ends.count ? ends[index - 1] : nil
    }

    /// The offset just past the `count`-th non-blank line: where a run with
    /// `--save-interval N` takes its k-th checkpoint, for `count` = k × N.
    func offset(afterNonBlankLines count: Int) -> UInt64? {
        count >= 1 && count <= nonBlankEnds.count ? nonBlankEnds[count - 1] : nil
    }

    /// Lines that end in (from, to]: those wholly read between the two offsets.
    func lines(from: UInt64, to: UInt64) -> Int {
        guard to > from else { return 0 }
        return Self.countEnds(ends, upTo: to) - Self.countEnds(ends, upTo: from)
    }

    /// Blank lines that end in (from, to].
    func blankLines(from: UInt64, to: UInt64) -> Int {
        guard to > from else { return 0 }
        return Self.countEnds(blankEnds, upTo: to) - Self.countEnds(blankEnds, upTo: from)
    }

    /// Number of elements ≤ offset.
    private static func countEnds(_ ends: [UInt64], upTo offset: UInt64) -> Int {
        var low = 0
        var high = ends.count
        while low < high {
            let middle = (low + high) / 2
            if ends[middle] <= offset { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

extension SplitMix64 {
    /// A whole number in [1, upper] whose logarithm is uniform: as many tiny save
    /// intervals as huge ones.
    mutating func logUniform(upTo upper: Int) -> Int {
        let exponent = Double.random(in: 0...log(Double(max(upper, 1))), using: &self)
        return max(1, min(upper, Int(exp(exponent).rounded())))
    }

    /// A seed for one scenario, from the run's seed and the scenario's name.
    static func scenarioSeed(_ seed: UInt64, _ name: String) -> UInt64 {
        var generator = SplitMix64(state: seed)
        var state = generator.next()
        for byte in name.utf8 {
            generator = SplitMix64(state: state ^ UInt64(byte))
            state = generator.next()
        }
        return state
    }
}
