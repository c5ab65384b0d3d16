/// What became of one line.
public enum LineOutcome: Equatable {
    case blank
    case counted
    case duplicate
    case malformed(MalformedReason)

    /// What became of a line, without the reason of a malformed one
    /// (`DecodedBatch.malformedReason(at:)` has it): a plain byte, which the
    /// per-line loop of a run neither copies nor destroys as it would a
    /// `LineOutcome` (whose reason holds a string).
    public enum Kind: UInt8, Sendable {
        case blank, counted, duplicate, malformed
    }
}

/// Feeds lines into an `ActivityState`: the per-line rules of the input
/// format that are not JSON (a byte-order mark at the start of the file, blank
/// lines, lines over the length limit) plus the tally.
///
/// A line goes through two steps: decoding into a `DecodedBatch` (pure, any
/// thread) and `apply` (in file order, on the state's thread). The command
/// line decodes batches on two threads; `ingest` and `InMemoryRun` run
/// both steps one line at a time. Both go through the same two functions, so
/// there is one place for the rules.
public struct LineIngestor {
    public let state: ActivityState
    /// The one-line batch `ingest` decodes into.
    @usableFromInline let single = DecodedBatch()

    public init(state: ActivityState) {
        self.state = state
    }

    /// Decodes and applies one line. `line` excludes its "\n"; `offset` is
    /// where its first byte sits in the input.
    public mutating func ingest(_ line: UnsafeRawBufferPointer, at offset: UInt64) -> LineOutcome {
        single.removeAll()
        single.append(line, start: offset, end: offset + UInt64(line.count) + 1, isTerminated: true)
        return apply(single, at: 0)
    }

    /// Counts a line that was too long to be read as an event.
    public mutating func ingestTooLong(at offset: UInt64, length: UInt64, limit: Int) -> LineOutcome {
        single.removeAll()
        single.appendTooLong(start: offset, end: offset + length + 1, isTerminated: true, length: length, limit: limit)
        return apply(single, at: 0)
    }

    /// `apply` prefetches the id slots of this many lines at once, one group
    /// ahead of the lines it applies (`ActivityState.prefetchIDs`), so that
    /// their cache misses are in flight together while the group before is
    /// applied.
    @usableFromInline static let prefetchGroup = 16

    /// Applies line `index` of `batch`, which must come right after the last
    /// line applied in file order.
    public func apply(_ batch: DecodedBatch, at index: Int) -> LineOutcome {
        switch applyLine(batch, at: index) {
        case .blank: .blank
        case .counted: .counted
        case .duplicate: .duplicate
        case .malformed: .malformed(batch.malformedReason(at: index))
        }
    }

    /// `apply`, telling only the kind of outcome.
    @inlinable @inline(__always)
    public func applyLine(_ batch: DecodedBatch, at index: Int) -> LineOutcome.Kind {
        if index % Self.prefetchGroup == 0 {
            let from = index == 0 ? 0 : index + Self.prefetchGroup
            let to = min(batch.count, index + 2 * Self.prefetchGroup)
            if from < to { state.prefetchIDs(batch, from..<to) }
            if state.prefetchesNames {
                let ahead = min(batch.count, index + 3 * Self.prefetchGroup)
                let names = index == 0 ? 0 : index + 2 * Self.prefetchGroup
                if names < ahead { state.prefetchNames(batch, names..<ahead) }
                if from < to { state.prefetchSites(batch, from..<to) }
            }
        }
        precondition(index >= 0 && index < batch.count, "line index out of range")
        // Read in place: the line is 120 bytes, of which an event needs some.
        let line = UnsafePointer(batch.lines + index)
        switch line.pointee.outcome {
        case .blank:
            // A run of blank lines comes as one entry (`DecodedLine.lineCount`).
            state.tally.lines += UInt64(line.pointee.lineCount)
            state.tally.blank += UInt64(line.pointee.lineCount)
            return .blank
        case .malformed:
            state.tally.lines += 1
            recordMalformed(batch.reasons[line.pointee.reason], at: line.pointee.start)
            return .malformed
        case .message, .offline, .online:
            state.tally.lines += 1
            return state.apply(line, of: batch) ? .counted : .duplicate
        }
    }

    @usableFromInline
    func recordMalformed(_ reason: MalformedReason, at offset: UInt64) {
        state.tally.malformed += 1
        // Only the reported few pay for their text.
        if state.tally.firstMalformed.count < Tally.reportLimit {
            state.tally.firstMalformed.append(
                MalformedLine(line: state.tally.lines, offset: offset, reason: reason.description))
        }
    }
}
