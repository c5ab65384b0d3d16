#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The command line of `sitesum-stress`.
public struct StressOptions: Equatable, Sendable {
    /// CI size: every crash point and kind of damage once, a few dozen kills.
    public var quick = false
    /// Every scenario's randomness comes from this seed (and the scenario's name).
    public var seed: UInt64 = 0
    /// Random kills in all (SIGKILL, SIGINT, SIGTERM and SIGHUP).
    public var kills = 0
    /// The log to work on; nil: one generated with `sitesum generate`.
    public var input: String?
    /// The sitesum binary; nil: the one built beside this harness.
    public var binary: String?
    /// Lines of the generated log.
    public var lines = 0
    /// Run only the scenario with this name (as printed in a mismatch).
    public var only: String?
    /// Keep the scratch directory even when everything passed.
    public var keep = false

    /// Kills per kill scenario: each starts from an empty cache and ends with a run that finishes.
    static let killsPerScenario = 12

    public static let usage = """
        USAGE: sitesum-stress [--quick] [--seed S] [--kills N] [--input FILE | --lines N]
                              [--binary PATH] [--only SCENARIO] [--keep]

        Drives the sitesum binary as a user would — kills it at random moments,
        makes it die at every crash point, damages its checkpoints, changes its
        input, fails its disk writes — and checks that every run that finishes
        prints exactly the summary of one uninterrupted run over the same bytes.

        OPTIONS:
          --quick          CI size (36 kills, every crash point and damage once; under a minute)
          --seed S         replay a run: every choice derives from S (default: from the clock)
          --kills N        random kills in all (default 36 with --quick, else 240)
          --input FILE     work on a copy of FILE (default: a log made by sitesum generate)
          --lines N        lines of the generated log (default 100000 with --quick, else 200000)
          --binary PATH    the sitesum to test (default: the one built beside sitesum-stress)
          --only SCENARIO  run one scenario, as named in a mismatch report
          --keep           keep the scratch directory

        The last line on stdout is
          stress: kills=K crashpoints=C corruptions=X input-changes=Y faults=F mismatches=M lost-lines-max=L seed=S elapsed=Ts
        Exit status: 0 when mismatches=0, 1 when a promise was broken, 2 when the harness itself failed or was misused.

        """

    public init() {}

    /// Parses the arguments (without the program name); nil means `--help` was asked for.
    public static func parse(_ arguments: [String]) throws -> StressOptions? {
        var options = StressOptions()
        var seed: UInt64?
        var kills: Int?
        var lines: Int?
        var index = 0
        func value(_ name: String) throws -> String {
            index += 1
            guard index < arguments.count else { throw StressError("\(name) needs a value") }
            return arguments[index]
        }
        func number(_ name: String) throws -> Int {
            let text = try value(name)
            guard let number = Int(text), number >= 0 else { throw StressError("\(name) takes a whole number, not '\(text)'") }
            return number
        }
        while index < arguments.count {
            let argument = arguments[index]
            switch argument {
            case "--quick": options.quick = true
            case "--keep": options.keep = true
            case "--seed":
                let text = try value(argument)
                guard let parsed = UInt64(text) else { throw StressError("--seed takes a whole number, not '\(text)'") }
                seed = parsed
            case "--kills": kills = try number(argument)
            case "--lines":
                lines = try number(argument)
                guard lines! >= 1000 else { throw StressError("--lines must be at least 1000") }
            case "--input": options.input = try value(argument)
            case "--binary": options.binary = try value(argument)
            case "--only": options.only = try value(argument)
            case "-h", "--help": return nil
            default: throw StressError("unknown argument '\(argument)'")
            }
            index += 1
        }
        options.seed = seed ?? UInt64(Date().timeIntervalSince1970 * 1000) % 1_000_000_000
        options.kills = kills ?? (options.quick ? 36 : 240)
        options.lines = lines ?? (options.quick ? 100_000 : 200_000)
        return options
    }

    /// The command that replays `scenario` alone with the same choices.
    func reproduceCommand(scenario: String) -> String {
        var parts = ["swift", "run", "-c", "release", "sitesum-stress"]
        if quick { parts.append("--quick") }
        parts += ["--seed", String(seed), "--kills", String(kills)]
        if let input { parts += ["--input", input] } else { parts += ["--lines", String(lines)] }
        if let binary { parts += ["--binary", binary] }
        parts += ["--only", scenario]
        return parts.map(SitesumCommand.quoted).joined(separator: " ")
    }
}
