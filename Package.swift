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

        // Fixed-argument C wrappers for prctl and ioctl (variadic in C).
        .target(name: "CProcessHardening"),

        // Wrappers: the only targets that import a C module.
        .target(name: "Sealing", dependencies: ["Clibsodium", "CProcessHardening"]),
        .target(name: "GitStore", dependencies: ["Clibgit2"]),

        // Whole-file reads, atomic writes and file locks with plain system calls.
        .target(name: "FileIO"),

        // The model: workspace.yaml, recipients, the sealed store on disk, journeys.
        .target(
            name: "Workspace",
            dependencies: ["Sealing", "FileIO", .product(name: "Yams", package: "Yams")]),

        // The leak check: detectors, suppressions, reporters.
        .target(
            name: "LeakScan",
            dependencies: ["Sealing", "FileIO", "Workspace", "GitStore", .product(name: "Yams", package: "Yams")]),

        // Running things: masking, child processes, value resolution, steps.
        .target(name: "Run", dependencies: ["Sealing", "FileIO", "Workspace"]),

        // The runner: cache of bare mirrors, fresh checkouts, the rollback guard; runs the
        // journey with Run.
        .target(name: "Runner", dependencies: ["GitStore", "Sealing", "FileIO", "Workspace", "Run", "CProcessHardening"]),

        .target(
            name: "JourneyCLI",
            dependencies: [
                "Sealing", "GitStore", "FileIO", "Workspace", "Run", "LeakScan",
                "Runner",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(name: "journey", dependencies: ["JourneyCLI"]),

        // Benchmarks (`make bench`), built in release.
        .executableTarget(
            name: "journey-bench", dependencies: ["Clibsodium", "Sealing", "Workspace"],
            path: "Benchmarks/journey-bench"),

        // Tests.
        .target(name: "TestSupport", dependencies: ["Sealing", "Workspace"], path: "Tests/TestSupport"),
        .testTarget(name: "SealingTests", dependencies: ["Sealing", "TestSupport"]),
        .testTarget(name: "GitStoreTests", dependencies: ["GitStore", "TestSupport"]),
        .testTarget(name: "WorkspaceTests", dependencies: ["Workspace", "TestSupport"]),
        .testTarget(name: "RunTests", dependencies: ["Run", "TestSupport"]),
        .testTarget(name: "LeakScanTests", dependencies: ["LeakScan", "GitStore", "TestSupport"], exclude: ["Corpus"]),
        .testTarget(name: "JourneyCLITests", dependencies: ["JourneyCLI", "TestSupport"]),
        .testTarget(name: "JourneyTests", dependencies: ["Workspace", "TestSupport"]),
        .testTarget(name: "RunJourneyTests", dependencies: ["Run", "Workspace", "JourneyCLI", "TestSupport"]),
        .testTarget(name: "RunnerTests", dependencies: ["Runner", "Run", "GitStore", "FileIO", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
