// swift-tools-version:6.0
import PackageDescription

// sitesum has no package dependencies: everything below builds with what the
// Swift toolchain ships (standard library, Synchronization, Glibc; Foundation
// and Testing in the tests and the stress harness).
// The per-line path (decoder, activity state, line reader, run loop) keeps its
// state in classes, and Swift checks every access to a class property for
// exclusivity at run time (swift_beginAccess/swift_endAccess): about a tenth of
// a release run's time in profiles. Those checks guard against overlapping
// inout accesses, which this code does not make (the state is touched by one
// thread at a time, handed over through locks), so they are turned off for these
// targets only. Unsafe flags are allowed here because sitesum is always the root
// package (it is a command-line tool, not a library others depend on).
let hotPath: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"])]

// On x86-64 a few hot loops use SSE up to SSE4.2 through Clang's intrinsics,
// which need the features enabled for the C headers they come from: the
// checkpoint store's CRC-32C (the `crc32` instruction, Sources/SitesumStore/CRC32C.swift),
// and in the decoder the string scan and the UUID reading (SSSE3 shuffles,
// Sources/SitesumCore/Hashing/UUIDText.swift). Every x86-64 processor since
// 2008 has SSE4.2; elsewhere portable code does the same work.
#if arch(x86_64)
let vectorInstructions: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-msse4.2"])]
#else
let vectorInstructions: [SwiftSetting] = []
#endif

// The release binary carries the Swift runtime libraries instead of loading
// them at start: a run starts in about half the time (`stress/compare.sh`'s
// start line: 4.3 against 8.5 ms here),
// which counts for small logs and resumed runs, and the binary runs on a Linux
// machine with no Swift toolchain (it needs only the C and C++ runtime
// libraries). Debug builds, which the tests use, link the usual way.
let selfContained: [LinkerSetting] = [.unsafeFlags(["-static-stdlib"], .when(platforms: [.linux], configuration: .release))]

let package = Package(
    name: "sitesum",
    products: [
        .executable(name: "sitesum", targets: ["sitesum"]),
        .executable(name: "sitesum-stress", targets: ["sitesum-stress"]),
    ],
    targets: [
        // Domain: event decoder, activity state, summary. No I/O.
        .target(name: "SitesumCore", dependencies: ["SitesumPrefetch"], swiftSettings: hotPath + vectorInstructions),
        // The processor's prefetch instruction, and a compare-and-swap on a given
        // address, which the standard library does not offer: in a target of its
        // own because they are written against the compiler's `Builtin` module
        // (`-parse-stdlib`).
        .target(name: "SitesumPrefetch", swiftSettings: [.unsafeFlags(["-parse-stdlib"])]),
        // I/O: system-call wrappers, line reader, checkpoint store. No domain rules.
        .target(name: "SitesumStore", swiftSettings: hotPath + vectorInstructions),
        // Deterministic synthetic logs for `sitesum generate`, tests and benchmarks.
        .target(name: "SitesumGenerator"),
        // Command line: argument parsing, the run loop, progress, exit codes.
        .target(
            name: "SitesumCLI",
            dependencies: ["SitesumCore", "SitesumStore", "SitesumGenerator"],
            swiftSettings: hotPath
        ),
        .executableTarget(name: "sitesum", dependencies: ["SitesumCLI"], linkerSettings: selfContained),
        // Stress harness: drives the built sitesum binary through kills, crash points,
        // checkpoint damage, input changes and disk faults (stress/README.md).
        .target(name: "SitesumStress", dependencies: ["SitesumGenerator"], path: "stress/Sources/SitesumStress"),
        .executableTarget(name: "sitesum-stress", dependencies: ["SitesumStress"], path: "stress/Sources/sitesum-stress"),

        .testTarget(name: "SitesumCoreTests", dependencies: ["SitesumCore", "SitesumGenerator"]),
        .testTarget(name: "SitesumStoreTests", dependencies: ["SitesumStore", "SitesumGenerator"]),
        .testTarget(
            name: "SitesumCLITests",
            dependencies: ["SitesumCLI", "SitesumCore", "SitesumStore", "SitesumGenerator", "sitesum"]
        ),
        .testTarget(name: "SitesumStressTests", dependencies: ["SitesumStress", "sitesum-stress", "sitesum"]),
    ]
)
