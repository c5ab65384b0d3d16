/// The on-disk format of the checkpoint store, version 4.
///
/// # Checkpoint store format (version 4)
///
/// Versions 2 to 4 have the framing of version 1; what changed is the layout
/// of the state inside DATA records (SitesumCore's
/// `ActivityState+Checkpoint.swift`): in version 2 UUID ids as fingerprints
/// and line offsets, integer columns packed; in version 3 the columns of
/// several sites in one record; in version 4 every id as a fingerprint and a
/// line offset, where version 3 stored an id that is not a UUID whole. A
/// file of an earlier version is reported as written by an older sitesum
/// and not used.
///
/// ## Layout of a cache directory
///
/// ```
/// <cache>/                                one cache directory, any number of inputs
///   <name>-<hash>/                        one entry per input
///     LOCK                                empty; flock(LOCK_EX|LOCK_NB) by the run using the entry
///     INPUT                               the input's absolute real path + "\n" (informational)
///     MANIFEST-<generation, 16 hex>       a checkpoint's commit record
///     segment-<generation, 16 hex>.seg    immutable state delta, or a full compacted state
///     *.tmp                               a file being written; never read, removed on open
/// ```
///
/// `<name>` is the input's basename with every character outside `[A-Za-z0-9._-]`
/// replaced by `_` (a leading `.` too), cut to 40 characters (`input` if empty);
/// `<hash>` is 16 lowercase hex digits of a fixed 64-bit hash of the full path, so
/// inputs with the same basename never share an entry. The hash (SitesumStore's
/// `StableHash64`, fixed forever) is part of the format: `/data/input.log` →
/// `input.log-67e3bfa576fc242f`.
///
/// ## Files
///
/// Manifests and segments share one framing: a header, then records, then an END
/// record. All integers are little-endian.
///
/// ```
/// file    := header record* end-record
///
/// header (20 bytes)
/// +--------+--------+------------+-----------------------------------------------------+
/// | offset | size   | field      | value                                               |
/// +--------+--------+------------+-----------------------------------------------------+
/// |      0 |      8 | magic      | "SSUMMAN\0" (manifest) or "SSUMSEG\0" (segment)     |
/// |      8 |      4 | version    | UInt32 = 3                                          |
/// |     12 |      8 | generation | UInt64: the file's generation                       |
/// +--------+--------+------------+-----------------------------------------------------+
///
/// record (9 + length bytes)
/// +--------+--------+------------+-----------------------------------------------------+
/// | offset | size   | field      | value                                               |
/// +--------+--------+------------+-----------------------------------------------------+
/// |      0 |      4 | crc        | UInt32: CRC-32C (Castagnoli) of type + payload      |
/// |      4 |      4 | length     | UInt32: payload length, at most 67,108,864 (64 MiB) |
/// |      8 |      1 | type       | UInt8, see below                                    |
/// |      9 | length | payload    |                                                     |
/// +--------+--------+------------+-----------------------------------------------------+
/// ```
///
/// CRC-32C is the standard one (initial value and final xor 0xFFFFFFFF, reflected),
/// `CRC32C("123456789") = 0xE3069283`, not masked: LevelDB masks CRCs because it
/// checksums data that embeds CRCs; here every record's CRC is verified on its own,
/// so the whole-file CRC over a segment is an extra check, never the only one. A
/// zero-filled region never parses: type 0 is invalid and the CRC of a zero type
/// byte is not 0.
///
/// | type | name     | in       | payload                                                           |
/// |------|----------|----------|-------------------------------------------------------------------|
/// | 1    | DATA     | segment  | one record the caller appended (opaque), 0 … 64 MiB               |
/// | 2    | INPUT    | manifest | 32 bytes: device u64, inode u64, offset u64, fingerprint u64      |
/// | 3    | METADATA | manifest | the caller's metadata (opaque), 0 … 64 MiB                        |
/// | 4    | SEGMENT  | manifest | 20 bytes: generation u64, length u64, crc32c u32 (a `SegmentRef`) |
/// | 5    | END      | both     | 8 bytes: u64 count of the records before it in this file          |
///
/// Any other type is damage in version 4; adding one needs a new version.
///
/// A **segment** is `header, DATA*, END`. Its header generation is the generation of
/// the commit that wrote it; a segment is only written when it has at least one
/// DATA record.
///
/// A **manifest** is `header, INPUT, METADATA, SEGMENT*, END`, exactly in that
/// order; the SEGMENT records list, in order, the segments whose DATA records
/// (in file order) make up the checkpoint's state. Its header generation equals
/// the generation in its file name.
///
/// The END record makes truncation at a record boundary detectable; any byte after
/// it is damage. The header has no checksum of its own because each of its fields
/// is checked against a known value: the magic against the file kind, the version
/// against 3, the generation against the file name (manifest) or the manifest's
/// SEGMENT record (segment).
///
/// ## Verification
///
/// A manifest is usable when, in this order: it is a regular file; it starts with
/// the manifest magic; its version is 3 (another version is reported as such,
/// not as damage: "unknown format version N" from a newer sitesum, "format
/// version N, written by an older sitesum" from an older one); its
/// generation matches its name; every record is complete, no longer than 64 MiB, has
/// a valid CRC and the expected type in the expected order, with the expected
/// payload size; the END count matches; nothing follows END.
///
/// A segment named by a SEGMENT record `(generation, length, crc)` is intact when
/// `segment-<generation>.seg` exists, is a regular file of exactly `length` bytes,
/// whose CRC-32C over the whole file is `crc`, and which passes the same header and
/// record checks (magic, version, generation = `generation`, DATA* then END). The
/// whole-file CRC in the manifest binds the segment to that manifest: a segment
/// copied in from another entry, or rewritten in any way, is rejected.
///
/// ## Commit protocol
///
/// Generation `g` of a new commit is 1 + the largest generation in any manifest or
/// segment name in the entry (damaged and temporary ones included) and of any
/// generation this process has tried to commit, so a commit never writes a name
/// that is still on disk.
///
/// 1. If the caller appended records: write `segment-g.seg.tmp`, `fsync` it,
///    `rename` it to `segment-g.seg`.
/// 2. Write `MANIFEST-g.tmp` listing the base's segments followed by the new one
///    (or only the new one when the commit replaces all state, i.e. compaction;
///    none if that one is empty), `fsync` it, `rename` it to `MANIFEST-g`.
/// 3. `fsync` the entry directory. The checkpoint is now durable.
/// 4. Remove every manifest except `MANIFEST-g` and its base, and every segment
///    neither of them lists (manifests first, so no surviving manifest ever loses a
///    segment). Failures here are ignored: leftovers are removed by a later commit.
///
/// The directory is synced once, after both renames. If a crash loses the segment's
/// rename but keeps the manifest's, the new manifest fails verification ("missing")
/// and the base is used — it is still complete, because nothing is removed before
/// step 3 finishes. On an error before the manifest's rename, the temporary files
/// and the new segment are removed and the base stays the store's base; after the
/// rename, nothing is removed (the new checkpoint may already be durable) and the
/// next commit's cleanup deletes it. The next commit after a failed one must
/// therefore carry everything since the base.
///
/// ## Recovery
///
/// Opening an entry removes `*.tmp`. Loading lists `MANIFEST-*`, newest generation
/// first, and takes the first one that verifies together with all its segments; each
/// file that fails is reported with its path and reason and the next older manifest
/// is tried. None usable means no checkpoint: start from the beginning. Whether the
/// checkpoint belongs to the input as it is now (device, inode, fingerprint of bytes
/// before the offset) is the caller's decision.
enum CheckpointFormat {
    /// Format version written, and the only one read.
    static let version: UInt32 = 4
    /// "SSUMMAN\0"
    static let manifestMagic: [UInt8] = Array("SSUMMAN".utf8) + [0]
    /// "SSUMSEG\0"
    static let segmentMagic: [UInt8] = Array("SSUMSEG".utf8) + [0]
    /// Bytes of a file header: magic, version, generation.
    static let headerSize = 20
    /// Bytes of a record header: crc, length, type.
    static let recordHeaderSize = 9
    /// The largest payload of one record.
    static let maxPayloadLength = 64 << 20
    /// Payload bytes of an INPUT record.
    static let inputPayloadSize = 32
    /// Payload bytes of a SEGMENT record.
    static let segmentRefPayloadSize = 20
    /// Payload bytes of an END record.
    static let endPayloadSize = 8

    /// The type byte of a record.
    enum RecordType: UInt8 {
        case data = 1
        case input = 2
        case metadata = 3
        case segment = 4
        case end = 5

        var name: String {
            switch self {
            case .data: "DATA"
            case .input: "INPUT"
            case .metadata: "METADATA"
            case .segment: "SEGMENT"
            case .end: "END"
            }
        }
    }

    /// The two kinds of file, told apart by their magic.
    enum FileKind {
        case manifest
        case segment

        var magic: [UInt8] {
            switch self {
            case .manifest: CheckpointFormat.manifestMagic
            case .segment: CheckpointFormat.segmentMagic
            }
        }

        var name: String {
            switch self {
            case .manifest: "manifest"
            case .segment: "segment"
            }
        }
    }

    static let manifestPrefix = "MANIFEST-"
    static let segmentPrefix = "segment-"
    static let segmentSuffix = ".seg"
    static let temporarySuffix = ".tmp"
    static let lockName = "LOCK"
    static let inputName = "INPUT"

    static func manifestName(_ generation: UInt64) -> String {
        manifestPrefix + hex16(generation)
    }

    static func segmentName(_ generation: UInt64) -> String {
        segmentPrefix + hex16(generation) + segmentSuffix
    }

    /// The generation of a manifest's file name, or nil when `name` is not one.
    static func manifestGeneration(_ name: String) -> UInt64? {
        guard name.hasPrefix(manifestPrefix) else { return nil }
        return parseHex16(name.dropFirst(manifestPrefix.count))
    }

    /// The generation of a segment's file name, or nil when `name` is not one.
    static func segmentGeneration(_ name: String) -> UInt64? {
        guard name.hasPrefix(segmentPrefix), name.hasSuffix(segmentSuffix) else { return nil }
        return parseHex16(name.dropFirst(segmentPrefix.count).dropLast(segmentSuffix.count))
    }

    /// The generation in any name the store writes, temporary ones included.
    static func anyGeneration(_ name: String) -> UInt64? {
        let base = name.hasSuffix(temporarySuffix) ? String(name.dropLast(temporarySuffix.count)) : name
        return manifestGeneration(base) ?? segmentGeneration(base)
    }

    /// 16 lowercase hex digits, zero-padded.
    static func hex16(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    static func parseHex16(_ text: Substring) -> UInt64? {
        guard text.utf8.count == 16,
              text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
        else { return nil }
        return UInt64(text, radix: 16)
    }
}
