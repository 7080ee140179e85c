// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "journey",
    // Linux only: the tool relies on /proc, prctl, namespaces and Debian's system libraries.
    products: [
        .executable(name: "journey", targets: ["journey"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        // System libraries: a module map and a one-line shim header each.
        .systemLibrary(
            name: "Clibsodium", pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]),
        .systemLibrary(
            name: "Clibgit2", pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"])]),
        // mbedTLS (libgit2's TLS library on Debian): TLS for HTTP steps, without libcurl.
        .systemLibrary(name: "Cmbedtls", providers: [.apt(["libmbedtls-dev"])]),

        // Fixed-argument C wrappers for prctl and ioctl (variadic in C).
        .target(name: "CProcessHardening"),

        // The protocol user-facing errors adopt: message, fix, exit code.
        .target(name: "Diagnostics"),

        // Wrappers: the only targets that import a C module.
        .target(name: "Sealing", dependencies: ["Diagnostics", "Clibsodium", "CProcessHardening"]),
        .target(name: "GitStore", dependencies: ["Diagnostics", "FileIO", "Clibgit2"]),

        // Files with plain system calls: whole-file reads, atomic writes, locks, folder
        // placement, and the one JSON form journey writes.
        .target(name: "FileIO", dependencies: ["Diagnostics", "CProcessHardening"]),

        // The model: workspace.yaml, recipients, the sealed store on disk, journeys.
        .target(
            name: "Workspace",
            dependencies: ["Diagnostics", "Sealing", "FileIO", .product(name: "Yams", package: "Yams")]),

        // The leak check: detectors, suppressions, reporters.
        .target(
            name: "LeakScan",
            dependencies: ["Diagnostics", "Sealing", "FileIO", "Workspace", "GitStore", .product(name: "Yams", package: "Yams")]),

        // Running things: masking, child processes, value resolution, steps.
        // Step isolation: namespaces, a fresh /proc, Landlock; the fork-to-exec part is C.
        .target(name: "CStepIsolation"),
        .target(name: "StepIsolation", dependencies: ["CStepIsolation"]),
        .target(name: "Run", dependencies: ["Diagnostics", "Sealing", "FileIO", "Workspace", "Cmbedtls", "StepIsolation"]),

        // The runner: cache of bare mirrors, fresh checkouts, the rollback guard; runs the
        // journey with Run.
        .target(name: "Runner", dependencies: ["Diagnostics", "GitStore", "Sealing", "FileIO", "Workspace", "Run", "StepIsolation"]),

        // `journey ui`: the Admin page, its JSON API and a small HTTP server of its own.
        .target(name: "AdminUI", dependencies: ["Diagnostics", "Sealing", "FileIO", "Workspace", "LeakScan"]),

        .target(
            name: "JourneyCLI",
            dependencies: [
                "Diagnostics", "Sealing", "GitStore", "FileIO", "Workspace", "Run", "LeakScan",
                "Runner", "StepIsolation", "AdminUI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(name: "journey", dependencies: ["JourneyCLI"]),

        // Benchmarks (`make bench`), built in release.
        .executableTarget(
            name: "journey-bench", dependencies: ["Clibsodium", "Sealing", "Workspace"],
            path: "Benchmarks/journey-bench"),
        .executableTarget(name: "masking-bench", dependencies: ["Run", "Sealing"], path: "Benchmarks/masking-bench"),

        // Tests.
        .target(name: "TestSupport", dependencies: ["Sealing", "Workspace"], path: "Tests/TestSupport"),
        .testTarget(name: "SealingTests", dependencies: ["Sealing", "TestSupport"]),
        .testTarget(name: "GitStoreTests", dependencies: ["GitStore", "TestSupport"]),
        .testTarget(name: "WorkspaceTests", dependencies: ["Workspace", "FileIO", "TestSupport"]),
        .testTarget(name: "RunTests", dependencies: ["Run", "TestSupport"]),
        .testTarget(name: "LeakScanTests", dependencies: ["LeakScan", "GitStore", "TestSupport"], exclude: ["Corpus"]),
        .testTarget(name: "JourneyCLITests", dependencies: ["JourneyCLI", "TestSupport"]),
        .testTarget(name: "JourneyTests", dependencies: ["Workspace", "TestSupport"]),
        .testTarget(name: "RunJourneyTests", dependencies: ["Run", "Workspace", "JourneyCLI", "TestSupport"]),
        .testTarget(name: "RunnerTests", dependencies: ["Runner", "Run", "GitStore", "FileIO", "TestSupport"]),
        .testTarget(name: "IsolationTests", dependencies: ["Run", "StepIsolation", "Sealing", "TestSupport"]),
        .testTarget(name: "AdminUITests", dependencies: ["AdminUI", "Workspace", "Sealing", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
