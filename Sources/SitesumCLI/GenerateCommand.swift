#if canImport(Glibc)
import Glibc
#endif
import SitesumGenerator
import SitesumStore

/// `sitesum generate`: writes a synthetic log to stdout or a file.
enum GenerateCommand {
    static func run(_ options: GenerateOptions) throws(Failure) {
        let output: FileDescriptor
        let name: String
        if let path = options.outputPath {
            do {
                output = try FileDescriptor.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode: 0o644)
            } catch {
                throw Failure(.cannotCreate, "cannot create '\(path)': \(error.errno)")
            }
            name = path
        } else {
            guard isatty(1) == 0 else {
                throw Failure(.usage, "refusing to write a log to a terminal: redirect it (> FILE) or use -o FILE")
            }
            output = .standardOutput
            name = "stdout"
        }
        defer { if options.outputPath != nil { output.close() } }
        do {
            try LogGenerator(options: options.generator).generate { chunk in try output.writeAll(chunk) }
        } catch {
            throw Failure(.ioError, "cannot write to \(name): \(error)")
        }
    }
}
