extension CheckpointStore {
    /// The entry directory's name for an input: a readable part (the basename with
    /// every character outside `[A-Za-z0-9._-]` replaced by "_", a leading "." too,
    /// at most 40 characters, "input" if nothing is left) + "-" + 16 hex digits of a
    /// fixed 64-bit hash of the full path. The readable part is for people looking at
    /// the cache; the hash keeps `a/x.log` and `b/x.log` apart.
    public static func entryName(forInputPath path: String) -> String {
        var readable = ""
        for scalar in FileSystem.baseName(of: path).unicodeScalars {
            if readable.unicodeScalars.count == 40 { break }
            let allowed = (scalar >= "A" && scalar <= "Z") || (scalar >= "a" && scalar <= "z")
                || (scalar >= "0" && scalar <= "9") || scalar == "." || scalar == "_" || scalar == "-"
            readable.unicodeScalars.append(allowed ? scalar : "_")
        }
        if readable.hasPrefix(".") {
            readable = "_" + readable.dropFirst()
        }
        if readable.isEmpty {
            readable = "input"
        }
        var hash = StableHash64()
        hash.combine(Array(path.utf8))
        return readable + "-" + CheckpointFormat.hex16(hash.finalize())
    }
}
