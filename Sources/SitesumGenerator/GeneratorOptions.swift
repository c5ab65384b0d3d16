/// What `LogGenerator` writes: how many lines, from which seed, and the shape
/// of the traffic (sites, operators, visitors, time span, defect rates).
///
/// Out-of-range values are clamped by the generator rather than rejected, so
/// any options value can be generated: fewer than one site, operator or
/// visitor means one, a span below 1 means 1, negative `lines` means none,
/// and rates are clamped to 0...1.
public struct GeneratorOptions: Sendable, Equatable {
    /// Total lines written: events, duplicates, malformed and blank lines.
    public var lines: Int
    /// Same seed and options, same bytes, on every platform.
    public var seed: UInt64
    /// Number of sites, named "1" ... "sites"; low numbers are busier.
    public var sites: Int
    /// Operators per site, named "operator1" ... (uniformly active).
    public var operators: Int
    /// Visitors per site, named "visitor1" ...; low numbers write more.
    public var visitors: Int
    /// Timestamps fall in `0..<span` seconds. Small spans make many ties.
    public var span: Int64
    /// Fraction of lines that repeat an earlier line's id.
    public var duplicateRate: Double
    /// Fraction of lines that are malformed.
    public var malformedRate: Double

    /// The defaults are `sitesum generate`'s.
    public init(
        lines: Int, seed: UInt64 = 1, sites: Int = 10, operators: Int = 5, visitors: Int = 1000,
        span: Int64 = 86_400, duplicateRate: Double = 0.01, malformedRate: Double = 0.001
    ) {
        self.lines = lines
        self.seed = seed
        self.sites = sites
        self.operators = operators
        self.visitors = visitors
        self.span = span
        self.duplicateRate = duplicateRate
        self.malformedRate = malformedRate
    }
}
