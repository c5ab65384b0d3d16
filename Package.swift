// swift-tools-version:6.0
import PackageDescription

// sitesum has no package dependencies: everything below builds with what the
// Swift toolchain ships (standard library, Foundation, Dispatch, Glibc, Testing).
let package = Package(
    name: "sitesum",
    products: [
        .executable(name: "sitesum", targets: ["sitesum"]),
        .executable(name: "sitesum-stress", targets: ["sitesum-stress"]),
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
        // Stress harness: drives the built sitesum binary through kills, crash points,
        // checkpoint damage, input changes and disk faults (stress/README.md).
        .target(name: "SitesumStress", dependencies: ["SitesumGenerator"], path: "stress/Sources/SitesumStress"),
        .executableTarget(name: "sitesum-stress", dependencies: ["SitesumStress"], path: "stress/Sources/sitesum-stress"),

        .testTarget(name: "SitesumCoreTests", dependencies: ["SitesumCore", "SitesumGenerator"]),
        .testTarget(name: "SitesumStoreTests", dependencies: ["SitesumStore", "SitesumGenerator"]),
        .testTarget(
            name: "SitesumCLITests",
            dependencies: ["SitesumCLI", "SitesumCore", "SitesumGenerator", "sitesum"]
        ),
        .testTarget(name: "SitesumStressTests", dependencies: ["SitesumStress", "sitesum-stress", "sitesum"]),
    ]
)
