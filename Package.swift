// swift-tools-version:6.0
import PackageDescription

// sitesum has no package dependencies: everything below builds with what the
// Swift toolchain ships (standard library, Foundation, Dispatch, Glibc, Testing).
let package = Package(
    name: "sitesum",
    products: [
        .executable(name: "sitesum", targets: ["sitesum"]),
    ],
    targets: [
        // Domain: event decoder, activity state, summary. No I/O.
        .target(name: "SitesumCore"),
        // I/O: system-call wrappers, line reader, checkpoint store. No domain rules.
        .target(name: "SitesumStore"),
        // Deterministic synthetic logs for `sitesum generate`, tests and benchmarks.
        .target(name: "SitesumGenerator"),
        // Command line: argument parsing, the run loop, progress, exit codes.
        .target(
            name: "SitesumCLI",
            dependencies: ["SitesumCore", "SitesumStore", "SitesumGenerator"]
        ),
        .executableTarget(name: "sitesum", dependencies: ["SitesumCLI"]),

        .testTarget(name: "SitesumCoreTests", dependencies: ["SitesumCore", "SitesumGenerator"]),
        .testTarget(name: "SitesumStoreTests", dependencies: ["SitesumStore", "SitesumGenerator"]),
        .testTarget(
            name: "SitesumCLITests",
            dependencies: ["SitesumCLI", "SitesumCore", "SitesumGenerator", "sitesum"]
        ),
    ]
)
