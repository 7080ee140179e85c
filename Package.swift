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

        // Wrappers: the only targets that import a C module.
        .target(name: "Sealing", dependencies: ["Clibsodium"]),
        .target(name: "GitStore", dependencies: ["Clibgit2"]),

        // The model: workspace.yaml, recipients, the sealed store on disk, journeys.
        .target(
            name: "Workspace",
            dependencies: ["Sealing", "GitStore", .product(name: "Yams", package: "Yams")]),

        // The leak check: detectors, suppressions, reporters.
        .target(
            name: "LeakScan",
            dependencies: ["Sealing", "Workspace", "GitStore", .product(name: "Yams", package: "Yams")]),

        // Running things: masking, child processes, value resolution, steps.
        .target(name: "Run", dependencies: ["Sealing", "Workspace"]),

        // The runner: cache of bare mirrors, fresh checkouts, the rollback guard, hardening.
        .target(name: "CProcessHardening"),
        .target(name: "Runner", dependencies: ["GitStore", "Sealing", "Workspace", "CProcessHardening"]),

        // `journey ui`: the Admin page, its JSON API and a small HTTP server of its own.
        .target(name: "AdminUI", dependencies: ["Sealing", "Workspace", "LeakScan", .product(name: "Yams", package: "Yams")]),

        .target(
            name: "JourneyCLI",
            dependencies: [
                "Sealing", "GitStore", "Workspace", "Run", "LeakScan",
                "Runner", "AdminUI",
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
        .testTarget(name: "AdminUITests", dependencies: ["AdminUI", "Workspace", "Sealing", "TestSupport"]),
        .testTarget(name: "RunnerTests", dependencies: ["Runner", "GitStore", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
