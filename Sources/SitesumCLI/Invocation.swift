import SitesumGenerator

/// Settings of one summarising run.
public struct RunOptions: Equatable, Sendable {
    /// The input's path, or `-` for standard input.
    public var inputPath: String
    /// Write a checkpoint every this many events (non-blank lines) read.
    public var saveInterval = RunOptions.defaultSaveInterval
    public var cacheDirectory = RunOptions.defaultCacheDirectory
    /// Drop this input's checkpoints before starting.
    public var clearCache = false
    /// Neither read nor write checkpoints.
    public var checkpoints = true
    /// Stop at the first malformed line.
    public var strict = false
    /// No progress or statistics on stderr.
    public var quiet = false
    /// Print the statistics line even when stderr is not a terminal.
    public var stats = false
    /// Longer lines are malformed and never buffered.
    public var maxLineLength = 1 << 20
    /// Bytes read from the input at a time.
    public var blockSize = 1 << 20
    /// Compact the checkpoint chain once it has this many segments.
    public var maxSegments = RunOptions.defaultMaxSegments

    /// Chosen with stress/bench.sh: see the README's "Performance" section.
    public static let defaultSaveInterval = 1_000_000
    public static let defaultCacheDirectory = ".sitesum-cache"
    /// A chain this long costs a resume some file opens and each commit a
    /// manifest of up to 30 KB, while every merge rewrites segments the run
    /// already wrote, and its steps hold up the commits at short save
    /// intervals: see the README's "Checkpoints" section.
    public static let defaultMaxSegments = 1024
    /// The operand that names standard input (a file named `-` is `./-`).
    public static let standardInput = "-"

    /// Whether the input is standard input: read as it comes, without
    /// checkpoints, since nothing names it for a later run to resume.
    public var readsStandardInput: Bool { inputPath == Self.standardInput }
    /// The input as messages name it: its path in quotes, or "standard input".
    public var inputName: String { readsStandardInput ? "standard input" : "'\(inputPath)'" }

    public init(inputPath: String) {
        self.inputPath = inputPath
    }
}

/// Settings of `sitesum generate`.
public struct GenerateOptions: Equatable, Sendable {
    public var generator: GeneratorOptions
    /// Where to write; nil for stdout.
    public var outputPath: String?
}

/// What the command line asks for.
public enum Command: Equatable, Sendable {
    case run(RunOptions)
    /// `--clear-cache` without a file: remove the whole cache directory.
    case clearCache(cacheDirectory: String)
    case generate(GenerateOptions)
    case help(String)
    case version
    /// `--list-crashpoints`: the points `SITESUM_CRASHPOINT` and `SITESUM_FAULT` accept.
    case listCrashPoints
}

/// Turns arguments (without the program name) into a `Command`.
public enum Invocation {
    public static func parse(_ arguments: [String]) throws(Failure) -> Command {
        if arguments.first == "generate" {
            return try parseGenerate(Array(arguments.dropFirst()))
        }
        var scanner = ArgumentScanner(arguments, shortOptionsWithValue: ["s"])
        var options = RunOptions(inputPath: "")
        var files: [String] = []
        while let token = scanner.next() {
            guard case let .option(name, isLong, inlineValue) = token else {
                if case let .operand(file) = token { files.append(file) }
                continue
            }
            let spelled = (isLong ? "--" : "-") + name
            let takesValue = ["s", "save-interval", "cache-dir", "max-line-length", "block-size", "max-segments"].contains(name)
            if !takesValue && inlineValue != nil && isLong {
                throw Failure(.usage, "option \(spelled) takes no value")
            }
            switch name {
            case "s", "save-interval":
                options.saveInterval = try OptionValue.integer(
                    scanner.value(for: token), option: "--save-interval", range: 1...Int(Int64.max))
            case "cache-dir":
                options.cacheDirectory = try scanner.value(for: token)
                guard !options.cacheDirectory.isEmpty else { throw Failure(.usage, "--cache-dir needs a directory") }
            case "c", "clear-cache":
                options.clearCache = true
            case "no-checkpoint":
                options.checkpoints = false
            case "strict":
                options.strict = true
            case "q", "quiet":
                options.quiet = true
            case "stats":
                options.stats = true
            case "max-line-length":
                options.maxLineLength = try OptionValue.byteSize(
                    scanner.value(for: token), option: "--max-line-length", range: 64...(1 << 30))
            case "block-size":
                options.blockSize = try OptionValue.byteSize(
                    scanner.value(for: token), option: "--block-size", range: 1...(1 << 30))
            case "max-segments":
                options.maxSegments = try OptionValue.integer(
                    scanner.value(for: token), option: "--max-segments", range: 2...1_000_000)
            case "h", "help":
                return .help(HelpText.main)
            case "version":
                return .version
            case "list-crashpoints":
                return .listCrashPoints
            default:
                throw Failure(.usage, "unknown option \(spelled)")
            }
        }
        // Clearing checkpoints while promising not to touch them is a contradiction;
        // --cache-dir and --save-interval are merely unused, so aliases keep working.
        if !options.checkpoints && options.clearCache {
            throw Failure(.usage, "--no-checkpoint cannot be combined with --clear-cache")
        }
        switch files.count {
        case 0:
            if options.clearCache { return .clearCache(cacheDirectory: options.cacheDirectory) }
            throw Failure(.usage, "no input file given")
        case 1:
            options.inputPath = files[0]
            if options.clearCache && options.readsStandardInput {
                throw Failure(.usage, "standard input has no checkpoints to clear (--clear-cache takes the file's path)")
            }
            return .run(options)
        default:
            throw Failure(.usage, "one input file at a time, got \(files.count): \(files.joined(separator: " "))")
        }
    }

    static func parseGenerate(_ arguments: [String]) throws(Failure) -> Command {
        var scanner = ArgumentScanner(arguments, shortOptionsWithValue: ["o"])
        var generator = GeneratorOptions(lines: 0)
        var lines: Int?
        var outputPath: String?
        while let token = scanner.next() {
            guard case let .option(name, isLong, _) = token else {
                if case let .operand(extra) = token {
                    throw Failure(.usage, "generate takes no operands, got '\(extra)' (write the log with > FILE or -o FILE)")
                }
                continue
            }
            let spelled = (isLong ? "--" : "-") + name
            switch name {
            case "lines":
                lines = try OptionValue.integer(scanner.value(for: token), option: "--lines", range: 0...Int(Int64.max))
            case "seed":
                let text = try scanner.value(for: token)
                guard let seed = UInt64(text.filter { $0 != "_" }) else {
                    throw Failure(.usage, "--seed takes a whole number from 0 to \(UInt64.max), not '\(text)'")
                }
                generator.seed = seed
            case "sites":
                generator.sites = try OptionValue.integer(scanner.value(for: token), option: "--sites", range: 1...10_000_000)
            case "operators":
                generator.operators = try OptionValue.integer(scanner.value(for: token), option: "--operators", range: 1...10_000_000)
            case "visitors":
                generator.visitors = try OptionValue.integer(scanner.value(for: token), option: "--visitors", range: 1...100_000_000)
            case "span":
                generator.span = Int64(try OptionValue.integer(scanner.value(for: token), option: "--span", range: 1...Int(Int64.max)))
            case "duplicates":
                generator.duplicateRate = try OptionValue.rate(scanner.value(for: token), option: "--duplicates")
            case "malformed":
                generator.malformedRate = try OptionValue.rate(scanner.value(for: token), option: "--malformed")
            case "o", "output":
                outputPath = try scanner.value(for: token)
            case "h", "help":
                return .help(HelpText.generate)
            default:
                throw Failure(.usage, "unknown option \(spelled) for generate")
            }
        }
        guard let lines else { throw Failure(.usage, "generate needs --lines N") }
        generator.lines = lines
        return .generate(GenerateOptions(generator: generator, outputPath: outputPath))
    }
}
