// swift-tools-version: 6.0
import PackageDescription

let optimized: [SwiftSetting] = [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]

let package = Package(
    name: "sddcal",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "sddcal", targets: ["sddcal"]),
        .library(name: "SDDCore", targets: ["SDDCore"]),
        // For the fuzz targets of the model file reader (Fuzz/, scripts/fuzz.sh).
        .library(name: "CentroidNetwork", targets: ["CentroidNetwork"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    ],
    targets: [
        // C libraries from Debian (apt providers listed for `swift build` hints).
        .systemLibrary(name: "CNcurses", pkgConfig: "ncursesw", providers: [.apt(["libncurses-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),

        // Data model, formats, physics tables, detector response, simulator.
        .target(name: "SDDCore",
                dependencies: [.product(name: "Numerics", package: "swift-numerics")],
                swiftSettings: optimized),
        // The local-maxima scan of find_peaks in C: AVX-512 when the processor has it (chosen at run
        // time), a portable kernel otherwise. Swift cannot reach the mask and compress instructions.
        .target(name: "PeakKernels", cSettings: [.unsafeFlags(["-O3"], .when(configuration: .release))]),
        // SciPy-compatible peak finding and line identification.
        .target(name: "PeakFinding", dependencies: ["SDDCore", "PeakKernels"], swiftSettings: optimized),
        // The paper's CNN: layers, training, model files, centroid prediction.
        // Haswell and later (AVX2, FMA): the SIMD loops of the layers run twice as wide.
        .target(name: "CentroidNetwork", dependencies: ["SDDCore", "CBLAS"], exclude: ["README.md"],
                swiftSettings: optimized + [.unsafeFlags(["-target-cpu", "haswell"], .when(configuration: .release))]),
        // Binned line-shape fits, minimizer, standard calibration, Cu Kα measurement.
        .target(name: "LineFitting",
                dependencies: ["SDDCore", "PeakFinding", "CentroidNetwork",
                               .product(name: "Numerics", package: "swift-numerics")],
                swiftSettings: optimized),
        // Automatic differentiation, unbinned likelihoods, calibration refinement.
        .target(name: "CalibrationRefinement",
                dependencies: ["SDDCore", "LineFitting",
                               .product(name: "Numerics", package: "swift-numerics")],
                swiftSettings: optimized),
        // Pure inspector state, actions and rendering into a cell buffer (no terminal code).
        .target(name: "Inspector",
                dependencies: ["SDDCore", "PeakFinding", "CentroidNetwork", "LineFitting", "CalibrationRefinement",
                               .product(name: "DequeModule", package: "swift-collections")],
                exclude: ["README.md"], swiftSettings: optimized),
        // The thin ncurses presenter.
        .target(name: "InspectorTerminal", dependencies: ["Inspector", "CNcurses"], exclude: ["README.md"]),

        .executableTarget(name: "sddcal",
                          dependencies: ["SDDCore", "PeakFinding", "CentroidNetwork", "LineFitting",
                                         "CalibrationRefinement", "Inspector", "InspectorTerminal",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          swiftSettings: optimized),
        .executableTarget(name: "sddcal-bench",
                          dependencies: ["SDDCore", "PeakFinding", "PeakKernels", "CentroidNetwork", "LineFitting",
                                         "CalibrationRefinement", "Inspector"],
                          swiftSettings: optimized),

        // Helpers shared by the tests that run the built `sddcal` binary.
        .target(name: "SDDCalTestSupport", path: "Tests/SDDCalTestSupport"),
        .testTarget(name: "SDDCoreTests", dependencies: ["SDDCore", "SDDCalTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "PeakFindingTests", dependencies: ["PeakFinding", "PeakKernels"], resources: [.copy("Fixtures")]),
        .testTarget(name: "CentroidNetworkTests", dependencies: ["CentroidNetwork", "SDDCalTestSupport"]),
        .testTarget(name: "LineFittingTests", dependencies: ["LineFitting"]),
        .testTarget(name: "CalibrationRefinementTests", dependencies: ["CalibrationRefinement", "SDDCalTestSupport"]),
        .testTarget(name: "InspectorTests", dependencies: ["Inspector", "LineFitting", "SDDCalTestSupport"], exclude: ["Snapshots"]),
    ],
    // Swift 5 language mode: data races are avoided by design (value types, one ncurses thread)
    // rather than by annotations on every numeric global.
    swiftLanguageModes: [.v5]
)
