/// The program's arguments, without its name.
///
/// The Swift runtime on Linux reads `CommandLine.arguments` from
/// `/proc/self/cmdline`, so where `/proc` is not mounted (a chroot, a bare
/// container) it has none at all, and every command line would read as
/// "no input file given". glibc calls each function in the `.init_array`
/// section with the process's `argc`, `argv` and `envp` before `main`, so
/// sitesum keeps the vector from there for that case. (Only with glibc:
/// musl calls them with no arguments.)
enum ProgramArguments {
    static var withoutName: [String] {
        if !CommandLine.arguments.isEmpty { return Array(CommandLine.arguments.dropFirst()) }
        #if compiler(>=6.3) && canImport(Glibc)
        if let vector = capturedVector, capturedCount > 1 {
            return (1..<Int(capturedCount)).map { vector[$0].map { String(cString: $0) } ?? "" }
        }
        #endif
        return []
    }
}

#if compiler(>=6.3) && canImport(Glibc)
/// Written once, before `main`, by `captureArguments`; read only after.
nonisolated(unsafe) private var capturedCount: Int32 = 0
nonisolated(unsafe) private var capturedVector: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?

@used @section(".init_array")
private let captureArguments: @convention(c) (
    Int32, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Void = { count, vector, _ in
    capturedCount = count
    capturedVector = vector
}
#endif
