#if canImport(Glibc)
import Glibc
#endif
import SitesumCore
import SitesumStore

/// The `sitesum` command: parses arguments, runs, prints, maps failures to
/// exit statuses. `main.swift` only calls `SitesumMain.main`.
public enum SitesumMain {
    /// Runs sitesum with `arguments` (without the program name) and returns the exit status.
    public static func main(_ arguments: [String]) -> Int32 {
        let command: Command
        do {
            command = try Invocation.parse(arguments)
        } catch {
            Console(quiet: false).write("sitesum: \(error.message)\nTry 'sitesum --help' for more information.\n")
            return ExitCode.usage.rawValue
        }
        switch command {
        case .help(let text):
            return printOrFail(Array(text.utf8))
        case .version:
            return printOrFail(Array((HelpText.version + "\n").utf8))
        case .listCrashPoints:
            return printOrFail(Array(CrashPoint.listing.utf8))
        case .clearCache(let directory):
            do {
                try CheckpointStore.removeCache(at: directory)
            } catch {
                return fail(Failure(.cannotCreate, "cannot remove the cache directory '\(directory)': \(error)"), Console(quiet: false))
            }
            Console(quiet: false).notice("removed the cache directory '\(directory)'")
            return ExitCode.success.rawValue
        case .generate(let options):
            do {
                try GenerateCommand.run(options)
            } catch {
                return fail(error, Console(quiet: false))
            }
            return ExitCode.success.rawValue
        case .run(let options):
            let console = Console(quiet: options.quiet)
            let faults: FaultInjection
            do {
                faults = try FaultInjection(lookup: ProcessEnvironment.value)
            } catch {
                return fail(error, console)
            }
            if faults.isActive {
                console.notice("test-only fault injection is on (\(FaultInjection.crashVariable), \(FaultInjection.faultVariable) or \(FaultInjection.sabotageVariable) is set)")
            }
            InterruptSignal.install()
            OutOfMemory.handler = { what in
                // Like a kill for the checkpoints: a commit under way is
                // whole or absent, so exiting at once loses nothing saved.
                console.error("out of memory: \(what); checkpoints already saved are kept, and the same command resumes from them where there is more memory")
                _exit(ExitCode.outOfMemory.rawValue)
            }
            do {
                let runner = try Runner(options: options, console: console, faults: faults)
                let summary = try runner.run()
                let status = printOrFail(summary)
                runner.reportEnd()
                runner.keepStateUntilExit()
                return status
            } catch {
                return fail(error, console)
            }
        }
    }

    private static func fail(_ failure: Failure, _ console: Console) -> Int32 {
        switch failure.exitCode {
        case .interrupted, .terminated:
            console.write("sitesum: \(failure.message)\n")
        default:
            console.error(failure.message)
        }
        return failure.exitCode.rawValue
    }

    private static func printOrFail(_ bytes: [UInt8]) -> Int32 {
        do {
            try bytes.withUnsafeBytes { try FileDescriptor.standardOutput.writeAll($0) }
            return ExitCode.success.rawValue
        } catch {
            Console(quiet: false).error("cannot write the output: \(error)")
            return ExitCode.ioError.rawValue
        }
    }
}
