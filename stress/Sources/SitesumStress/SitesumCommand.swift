/// One invocation of sitesum as the harness makes it: arguments, the extra
/// environment (crash points, faults) and an optional shell prelude (limits).
struct SitesumCommand {
    var arguments: [String]
    var environment: [String: String] = [:]
    /// Shell commands run before sitesum is exec'd, e.g. `ulimit -f 64`, so
    /// limits they set are sitesum's own.
    var shellSetup: String?

    init(_ arguments: [String], environment: [String: String] = [:], shellSetup: String? = nil) {
        self.arguments = arguments
        self.environment = environment
        self.shellSetup = shellSetup
    }

    /// A line a person can paste into a shell to run the same command.
    func commandLine(binary: String) -> String {
        let environmentPart = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.quoted($0.value)) " }.joined()
        let command = environmentPart + ([binary] + arguments).map(Self.quoted).joined(separator: " ")
        guard let shellSetup else { return command }
        return "(\(shellSetup); exec \(command))"
    }

    /// `text` quoted for a POSIX shell when it needs it.
    static func quoted(_ text: String) -> String {
        let plain = !text.isEmpty && text.unicodeScalars.allSatisfy(isPlain)
        return plain ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Whether a shell word can hold `scalar` without quotes.
    private static func isPlain(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "-", "_", ".", "/", ",", ":", "=", "@", "+": true
        default: false
        }
    }
}

/// What one sitesum process did.
struct RunResult {
    var termination: Termination
    var stdout: [UInt8]
    var stderr: String
    /// The signal the harness sent, if it sent one before the process ended.
    var signalSent: Int32?
    /// How far the process had read its input when the harness signalled it.
    var readPosition: UInt64?
    var seconds: Double

    /// Whether the run finished on its own with exit 0.
    var succeeded: Bool { termination == .exited(0) }

    /// The byte offset a run said it resumed from: the "resuming … byte N of"
    /// notice, 0 when it started over or from nothing, nil when it ended
    /// before saying (or answered from a finished checkpoint).
    var resumedOffset: UInt64? {
        if let range = stderr.range(of: "at line "), let byte = stderr.range(of: ", byte ", range: range.upperBound..<stderr.endIndex) {
            let digits = stderr[byte.upperBound...].prefix { $0.isNumber }
            return UInt64(digits)
        }
        if stderr.contains("starting over") { return 0 }
        return nil
    }
}
