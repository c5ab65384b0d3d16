/// What became of one line.
public enum LineOutcome: Equatable {
    case blank
    case counted
    case duplicate
    case malformed(MalformedReason)
}

/// Feeds lines into an `ActivityState`: the per-line rules of the input
/// format that are not JSON (a byte-order mark at the start of the file, blank
/// lines, lines over the length limit) plus the tally. The command line and
/// `InMemoryRun` both go through here, so there is one place for them.
public struct LineIngestor {
    public let state: ActivityState
    @usableFromInline var decoder = EventDecoder()

    public init(state: ActivityState) {
        self.state = state
    }

    /// Decodes and applies one line. `line` excludes its "\n"; `offset` is
    /// where its first byte sits in the input.
    @inlinable
    public mutating func ingest(_ line: UnsafeRawBufferPointer, at offset: UInt64) -> LineOutcome {
        state.tally.lines += 1
        var bytes = line
        if offset == 0, bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            bytes = UnsafeRawBufferPointer(rebasing: bytes[3...])
        }
        switch decoder.decode(bytes) {
        case .blank:
            state.tally.blank += 1
            return .blank
        case .event(let event):
            return state.apply(event, offset: offset) ? .counted : .duplicate
        case .malformed(let reason):
            recordMalformed(reason, at: offset)
            return .malformed(reason)
        }
    }

    /// Counts a line that was too long to be read as an event.
    public mutating func ingestTooLong(at offset: UInt64, length: UInt64, limit: Int) -> LineOutcome {
        state.tally.lines += 1
        let reason = MalformedReason(
            column: 0,
            message: "line is \(length) bytes long, over the limit of \(limit) (see --max-line-length)"
        )
        recordMalformed(reason, at: offset)
        return .malformed(reason)
    }

    @usableFromInline
    mutating func recordMalformed(_ reason: MalformedReason, at offset: UInt64) {
        state.tally.malformed += 1
        // Only the reported few pay for their text.
        if state.tally.firstMalformed.count < Tally.reportLimit {
            state.tally.firstMalformed.append(
                MalformedLine(line: state.tally.lines, offset: offset, reason: reason.description))
        }
    }
}
