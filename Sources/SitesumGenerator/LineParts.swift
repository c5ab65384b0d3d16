/// A top-level member of a generated line, in the order it is written.
enum Member: Equatable {
    /// One of the six members sitesum reads.
    case field(Field)
    /// An unknown member (index into `LineText.extraMembers`).
    case extra(Int)
    /// An unknown member that is not valid JSON (index into
    /// `LineText.brokenMembers`); only on `brokenSyntax` lines.
    case brokenExtra(Int)
    /// An earlier occurrence of a field's key with another value; the real
    /// member comes later and, being last, is the one that counts.
    case decoy(Field)
}

/// The members sitesum reads, in the SPEC's order.
enum Field: CaseIterable {
    case id, type, from, site, timestamp, data

    /// The key as written (before any escape is applied).
    var key: StaticString {
        switch self {
        case .id: "id"
        case .type: "type"
        case .from: "from"
        case .site: "site_id"
        case .timestamp: "timestamp"
        case .data: "data"
        }
    }
}

/// Where an `escaped` line writes one character as `\u00XX`.
enum EscapeTarget: Equatable {
    case key(Field)
    case value(Field)
    /// The status string inside `data`.
    case status
}

/// How a `brokenSyntax` line is broken.
enum BrokenSyntax: CaseIterable {
    /// `{"id":...,"data":{...},}`
    case trailingComma
    /// `"type" "message"`
    case missingColon
    /// `"id":"..." "type":...`
    case missingComma
    /// `'type':"message"`
    case singleQuotedKey
    /// `type:"message"`
    case bareKey
    /// An unknown member holding `[...,]` or `{...,}`.
    case nestedTrailingComma
}
