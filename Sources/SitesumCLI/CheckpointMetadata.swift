import SitesumCore

/// What a checkpoint's manifest carries besides the state's segments: the
/// tally, the settings the state depends on, and — once a run has read the
/// whole input — the summary it printed, so an unchanged input is answered
/// without loading the state.
///
/// Layout (little-endian): version u32 = 1; max line length u64; lines, blank,
/// events, duplicates, malformed u64; report count u32 and each report as
/// (line u64, offset u64, reason bytes); summary flag u8 and, when 1, the
/// summary bytes. Bytes are varint-length-prefixed.
struct CheckpointMetadata: Equatable {
    static let version: UInt32 = 1

    var maxLineLength: Int
    var tally: Tally
    var summary: [UInt8]?

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
        writer.write(UInt8(summary == nil ? 0 : 1))
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
                let hasSummary: UInt8 = try reader.read()
                let summary = hasSummary == 1 ? Array(try reader.readBytes()) : nil
                guard reader.isAtEnd else { throw DecodingError("metadata has trailing bytes") }
                return CheckpointMetadata(maxLineLength: Int(maxLineLength), tally: tally, summary: summary)
            }
        }
        return try result.get()
    }
}
