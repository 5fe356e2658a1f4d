// swift-tools-version:6.0
//
// Larder: cross-modal recipe search. One module per concept; C libraries
// from Debian come in through the system-library targets named C*.

import PackageDescription

/// Flags for every Swift target: optimised numeric code stays fast in
/// release builds, and the whole package uses the Swift 6 language mode.
let swiftSettings: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "Larder",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "larder", targets: ["LarderCLI"]),
    ],
    targets: [
        // MARK: - C libraries (Debian -dev packages)
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .systemLibrary(name: "CLZ4", path: "Sources/CLZ4"),
        .systemLibrary(name: "CTurboJPEG", path: "Sources/CTurboJPEG"),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG"),
        .systemLibrary(name: "CWebP", path: "Sources/CWebP"),
        .systemLibrary(name: "CEpoll", path: "Sources/CEpoll"),
        // AVX2/FMA distance kernels picked at run time, and a prefetch hint.
        .target(name: "CVectorKernels"),

        // MARK: - Support
        .target(name: "LarderLog", swiftSettings: swiftSettings),
        .target(name: "LarderArguments", swiftSettings: swiftSettings),

        // MARK: - Vectors and the index
        .target(name: "LarderVector", dependencies: ["CBLAS", "CVectorKernels"], swiftSettings: swiftSettings),
        .target(name: "LarderHNSW", dependencies: ["LarderVector", "LarderLog"], swiftSettings: swiftSettings),
        .target(name: "LarderStorage",
                dependencies: ["LarderHNSW", "LarderVector", "LarderLog", "CLZ4"],
                swiftSettings: swiftSettings),

        // Child process of the storage crash-safety test (killed with SIGKILL in a loop).
        .executableTarget(name: "LarderCrashWriter", dependencies: ["LarderStorage", "LarderVector"],
                          swiftSettings: swiftSettings),

        // Storage benchmark (docs/benchmarks.md, "Storage").
        .executableTarget(name: "LarderStorageBenchmark",
                          dependencies: ["LarderStorage", "LarderHNSW", "LarderVector", "LarderArguments"],
                          path: "benchmarks/storage", swiftSettings: swiftSettings),

        // MARK: - Protocol and server
        .target(name: "LarderRESP", swiftSettings: swiftSettings),
        .target(name: "LarderNet", dependencies: ["LarderLog", "CEpoll"], swiftSettings: swiftSettings),
        .target(name: "LarderFilter", swiftSettings: swiftSettings),
        .target(name: "LarderServer",
                dependencies: ["LarderRESP", "LarderNet", "LarderFilter", "LarderStorage",
                               "LarderHNSW", "LarderVector", "LarderLog"],
                swiftSettings: swiftSettings),

        .target(name: "LarderClient", dependencies: ["LarderRESP"], swiftSettings: swiftSettings),

        // MARK: - Encoders
        .target(name: "LarderTensor", dependencies: ["CBLAS"], swiftSettings: swiftSettings),
        .target(name: "LarderText", swiftSettings: swiftSettings),
        .target(name: "LarderImage", dependencies: ["LarderTensor", "CTurboJPEG", "CPNG", "CWebP"],
                swiftSettings: swiftSettings),
        .target(name: "LarderWeights", dependencies: ["LarderTensor"], swiftSettings: swiftSettings),
        .target(name: "LarderModels",
                dependencies: ["LarderTensor", "LarderText", "LarderImage", "LarderWeights", "LarderLog", "CBLAS"],
                swiftSettings: swiftSettings),

        // MARK: - Encoder worker (dynamic batching between the server and the models)
        .target(name: "LarderWorker", dependencies: ["LarderModels", "LarderImage", "LarderTensor", "LarderText", "LarderLog"], swiftSettings: swiftSettings),

        // MARK: - Training and evaluation
        .target(name: "LarderTraining",
                dependencies: ["LarderModels", "LarderTensor", "LarderText", "LarderWeights", "LarderImage", "LarderVector", "LarderLog", "CBLAS"],
                swiftSettings: swiftSettings),

        // MARK: - Command line
        .executableTarget(name: "LarderCLI",
                          dependencies: ["LarderArguments", "LarderServer", "LarderTraining", "LarderClient", "LarderWorker",
                                         "LarderModels", "LarderImage", "LarderTensor", "LarderLog", "LarderStorage", "LarderVector"],
                          swiftSettings: swiftSettings),

        // MARK: - Benchmarks
        .executableTarget(name: "LarderANNBench", dependencies: ["LarderHNSW", "LarderVector"],
                          swiftSettings: swiftSettings),

        // MARK: - Tests (one folder per module)
        .target(name: "LarderTestSupport", dependencies: ["LarderLog"], path: "Tests/LarderTestSupport"),
        .testTarget(name: "LarderLogTests", dependencies: ["LarderLog"]),
        .testTarget(name: "LarderArgumentsTests", dependencies: ["LarderArguments"]),
        .testTarget(name: "LarderVectorTests", dependencies: ["LarderVector", "LarderTestSupport"]),
        .testTarget(name: "LarderHNSWTests", dependencies: ["LarderHNSW", "LarderVector", "LarderTestSupport"]),
        .testTarget(name: "LarderStorageTests",
                    dependencies: ["LarderStorage", "LarderHNSW", "LarderVector", "LarderLog", "LarderTestSupport",
                                   "LarderCrashWriter"]),
        .testTarget(name: "LarderRESPTests", dependencies: ["LarderRESP", "LarderTestSupport"]),
        .testTarget(name: "LarderNetTests", dependencies: ["LarderNet", "LarderTestSupport"]),
        .testTarget(name: "LarderFilterTests", dependencies: ["LarderFilter"]),
        .testTarget(name: "LarderServerTests",
                    dependencies: ["LarderServer", "LarderRESP", "LarderFilter", "LarderTestSupport"]),
        .testTarget(name: "LarderTensorTests", dependencies: ["LarderTensor", "LarderTestSupport"]),
        .testTarget(name: "LarderTextTests", dependencies: ["LarderText", "LarderTestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "LarderImageTests",
                    dependencies: ["LarderImage", "LarderTensor", "LarderWeights", "LarderTestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "LarderWeightsTests", dependencies: ["LarderWeights", "LarderTensor", "LarderTestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "LarderModelsTests",
                    dependencies: ["LarderModels", "LarderImage", "LarderText", "LarderWeights", "LarderTensor",
                                   "LarderTestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "LarderWorkerTests",
                    dependencies: ["LarderWorker", "LarderModels", "LarderImage", "LarderText", "LarderTensor",
                                   "LarderTestSupport"]),
        .testTarget(name: "LarderTrainingTests",
                    dependencies: ["LarderTraining", "LarderModels", "LarderText", "LarderTensor", "LarderTestSupport"]),
        .testTarget(name: "LarderCLITests",
                    dependencies: ["LarderClient", "LarderRESP", "LarderTraining", "LarderTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
