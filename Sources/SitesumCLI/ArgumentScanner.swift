/// Splits command-line arguments into options and operands the way getopt_long
/// users expect: `--name value`, `--name=value`, `-x value`, `-xvalue`,
/// bundled short flags (`-cq`), and `--` to end options.
struct ArgumentScanner {
    enum Token: Equatable {
        /// `name` is without dashes; `inlineValue` is what followed `=` (long)
        /// or the rest of a short cluster when the option takes a value.
        case option(name: String, isLong: Bool, inlineValue: String?)
        case operand(String)
    }

    private var arguments: ArraySlice<String>
    /// Short options that take a value: for `-s100`, the rest of the cluster is the value.
    private let shortOptionsWithValue: Set<Character>
    private var pendingShortFlags: [Character] = []
    private var onlyOperands = false

    init(_ arguments: [String], shortOptionsWithValue: Set<Character>) {
        self.arguments = arguments[...]
        self.shortOptionsWithValue = shortOptionsWithValue
    }

    mutating func next() -> Token? {
        if !pendingShortFlags.isEmpty {
            return shortToken(pendingShortFlags.removeFirst())
        }
        guard let argument = arguments.popFirst() else { return nil }
        if onlyOperands || argument == "-" || !argument.hasPrefix("-") {
            return .operand(argument)
        }
        if argument == "--" {
            onlyOperands = true
            return next()
        }
        if argument.hasPrefix("--") {
            let body = argument.dropFirst(2)
            if let equals = body.firstIndex(of: "=") {
                return .option(name: String(body[..<equals]), isLong: true,
                               inlineValue: String(body[body.index(after: equals)...]))
            }
            return .option(name: String(body), isLong: true, inlineValue: nil)
        }
        pendingShortFlags = Array(argument.dropFirst())
        return shortToken(pendingShortFlags.removeFirst())
    }

    private mutating func shortToken(_ flag: Character) -> Token {
        if shortOptionsWithValue.contains(flag) && !pendingShortFlags.isEmpty {
            let value = String(pendingShortFlags)
            pendingShortFlags = []
            return .option(name: String(flag), isLong: false, inlineValue: value)
        }
        return .option(name: String(flag), isLong: false, inlineValue: nil)
    }

    /// The value of an option: its inline value, or the next argument.
    mutating func value(for token: Token) throws(Failure) -> String {
        guard case let .option(name, isLong, inlineValue) = token else { preconditionFailure("not an option") }
        if let inlineValue { return inlineValue }
        guard pendingShortFlags.isEmpty, let value = arguments.popFirst() else {
            throw Failure(.usage, "option \(isLong ? "--" : "-")\(name) needs a value")
        }
        return value
    }
}

/// Number parsing for option values, with messages that name the option.
enum OptionValue {
    /// A whole number; `_` may group digits (`50_000`).
    static func integer(_ text: String, option: String, range: ClosedRange<Int>) throws(Failure) -> Int {
        let digits = text.filter { $0 != "_" }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let value = Int(digits), range.contains(value) else {
            throw Failure(.usage, "\(option) takes a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        }
        return value
    }

    /// A size in bytes, with an optional binary suffix: `1M` is 1,048,576.
    static func byteSize(_ text: String, option: String, range: ClosedRange<Int>) throws(Failure) -> Int {
        let multipliers: [Character: Int] = ["k": 1 << 10, "K": 1 << 10, "m": 1 << 20, "M": 1 << 20, "g": 1 << 30, "G": 1 << 30]
        var body = text
        var multiplier = 1
        if let last = body.last, let factor = multipliers[last] {
            multiplier = factor
            body.removeLast()
        }
        let failure = Failure(.usage, "\(option) takes a size in bytes (suffix K, M or G allowed) from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        guard let count = try? integer(body, option: option, range: 0...Int.max) else { throw failure }
        let (value, overflow) = count.multipliedReportingOverflow(by: multiplier)
        guard !overflow, range.contains(value) else { throw failure }
        return value
    }

    /// A rate between 0 and 1.
    static func rate(_ text: String, option: String) throws(Failure) -> Double {
        guard let value = Double(text), value >= 0, value <= 1 else {
            throw Failure(.usage, "\(option) takes a rate from 0 to 1, not '\(text)'")
        }
        return value
    }
}
