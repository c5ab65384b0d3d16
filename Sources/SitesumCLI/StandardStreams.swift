import SitesumStore

extension FileDescriptor {
    /// The input when FILE is `-`.
    static let standardInput = FileDescriptor(rawValue: 0, path: "standard input")
    /// Where the summary goes.
    static let standardOutput = FileDescriptor(rawValue: 1, path: "standard output")
    /// Where everything else goes.
    static let standardError = FileDescriptor(rawValue: 2, path: "standard error")
}
