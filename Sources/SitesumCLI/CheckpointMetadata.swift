import SitesumCore

/// What a checkpoint's manifest carries besides the state's segments: the
/// tally, the settings the state depends on, and — once a run has read the
/// whole input — the summary it printed, so an unchanged input is answered
/// without loading the state.
///
/// A summary longer than `storedSummaryLimit` is left out, and the manifest
/// only says so: one line per site, a log of a million sites prints some 50 MB
/// of summary, which every finished run would write and `fsync` again and
/// every later resume read back (and past 64 MiB, the manifest's limit for
/// one record, the final checkpoint could not be written at all). Answering
/// an unchanged input then loads the state and computes the summary again.
///
/// Layout (little-endian): version u32 = 1; max line length u64; lines, blank,
/// events, duplicates, malformed u64; report count u32 and each report as
/// (line u64, offset u64, reason bytes); summary flag u8: 0 (the input was
/// not read to its end), 1 followed by the summary bytes, or 2 (read to its
/// end, the summary left out). Bytes are varint-length-prefixed.
struct CheckpointMetadata: Equatable {
    static let version: UInt32 = 1
    /// The longest summary a manifest stores: 16 MiB, some 330,000 sites of
    /// 50-byte lines (the generated logs of `stress/many-sites.sh`).
    static let storedSummaryLimit = 16 << 20

    var maxLineLength: Int
    var tally: Tally
    var summary: [UInt8]?
    /// Whether the run that wrote it read the whole input but left its
    /// summary out (longer than `storedSummaryLimit`).
    var summaryLeftOut = false

    func encoded() -> [UInt8] {
        var writer = ByteWriter()
        writer.write(Self.version)
        writer.write(UInt64(maxLineLength))
        for count in [tally.lines, tally.blank, tally.events, tally.duplicates, tally.malformed] {
            writer.write(count)
        }
        writer.write(UInt32(tally.firstMalformed.count))
        for report in tally.firstMalformed {
            writer.write(report.line)
            writer.write(report.offset)
            writer.writeString(report.reason)
        }
        writer.write(UInt8(summary != nil ? 1 : summaryLeftOut ? 2 : 0))
        if let summary { writer.writeBytes(summary) }
        return writer.bytes
    }

    static func decode(_ bytes: [UInt8]) throws(DecodingError) -> CheckpointMetadata {
        let result: Result<CheckpointMetadata, DecodingError> = bytes.withUnsafeBytes { buffer in
            Result { () throws(DecodingError) -> CheckpointMetadata in
                var reader = ByteReader(buffer)
                let version: UInt32 = try reader.read()
                guard version == Self.version else { throw DecodingError("metadata version \(version) is not \(Self.version)") }
                let maxLineLength: UInt64 = try reader.read()
                guard maxLineLength <= UInt64(Int.max) else { throw DecodingError("bad line length limit") }
                var tally = Tally()
                tally.lines = try reader.read()
                tally.blank = try reader.read()
                tally.events = try reader.read()
                tally.duplicates = try reader.read()
                tally.malformed = try reader.read()
                let reports: UInt32 = try reader.read()
                guard reports <= UInt32(Tally.reportLimit) else { throw DecodingError("too many reports") }
                for _ in 0..<reports {
                    let line: UInt64 = try reader.read()
                    let offset: UInt64 = try reader.read()
                    tally.firstMalformed.append(MalformedLine(line: line, offset: offset, reason: try reader.readString()))
                }
                let summaryFlag: UInt8 = try reader.read()
                guard summaryFlag <= 2 else { throw DecodingError("summary flag \(summaryFlag) is not 0, 1 or 2") }
                let summary = summaryFlag == 1 ? Array(try reader.readBytes()) : nil
                guard reader.isAtEnd else { throw DecodingError("metadata has trailing bytes") }
                return CheckpointMetadata(
                    maxLineLength: Int(maxLineLength), tally: tally, summary: summary, summaryLeftOut: summaryFlag == 2)
            }
        }
        return try result.get()
    }
}
