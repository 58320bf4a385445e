// swift-tools-version: 6.0
import PackageDescription

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
    ],
    targets: [
        // The one C library needed to build, from Debian (apt provider listed for `swift build` hints).
        // BLAS is optional and found at run time (see CentroidNetwork/BLAS).
        .systemLibrary(name: "CNcurses", pkgConfig: "ncursesw", providers: [.apt(["libncurses-dev"])]),

        // Data model, formats, physics tables, detector response, simulator.
        .target(name: "SDDCore"),
        // The local-maxima scan of find_peaks in C: AVX-512 when the processor has it (chosen at run
        // time), a portable kernel otherwise. Swift cannot reach the mask and compress instructions.
        .target(name: "PeakKernels"),
        // SciPy-compatible peak finding and line identification.
        .target(name: "PeakFinding", dependencies: ["SDDCore", "PeakKernels"]),
        // The paper's CNN: layers, training, model files, centroid prediction. Matrix products use
        // Accelerate, OpenBLAS loaded at run time, or a Swift SIMD kernel (no BLAS needed to build).
        .target(name: "CentroidNetwork", dependencies: ["SDDCore", "NetworkKernels"], exclude: ["README.md"]),
        // The convolution loops of the CNN in C: AVX2 + FMA when the processor has them (chosen at run
        // time), portable vectors otherwise; Swift cannot choose instructions per function.
        .target(name: "NetworkKernels"),
        // The per-event loops of the smooth likelihood in C: four events per vector, AVX-512 or AVX2 + FMA
        // when the processor has them (chosen at run time), portable vectors otherwise.
        .target(name: "LikelihoodKernels"),
        // Binned line-shape fits, minimizer, standard calibration, Cu Kα measurement.
        .target(name: "LineFitting", dependencies: ["SDDCore"]),
        // Centroid seeds for the line fits from the CNN and from the peak finder: kept apart so that
        // line fitting links neither.
        .target(name: "CentroidSeeding", dependencies: ["SDDCore", "LineFitting", "PeakFinding", "CentroidNetwork"]),
        // Automatic differentiation, unbinned likelihoods, calibration refinement (its validation reruns
        // a file's calibration chain, seeders included).
        .target(name: "CalibrationRefinement", dependencies: ["SDDCore", "LineFitting", "CentroidNetwork", "CentroidSeeding", "LikelihoodKernels"]),
        // Pure inspector state, actions and rendering into a cell buffer (no terminal code).
        .target(name: "Inspector", dependencies: ["SDDCore", "LineFitting"], exclude: ["README.md"]),
        // The thin ncurses presenter.
        .target(name: "InspectorTerminal", dependencies: ["SDDCore", "Inspector", "CNcurses"], exclude: ["README.md"]),

        .executableTarget(name: "sddcal",
                          dependencies: ["SDDCore", "PeakFinding", "CentroidNetwork", "LineFitting", "CentroidSeeding",
                                         "CalibrationRefinement", "Inspector", "InspectorTerminal",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "sddcal-bench",
                          dependencies: ["SDDCore", "PeakFinding", "PeakKernels", "CentroidNetwork", "LineFitting",
                                         "CalibrationRefinement", "Inspector"]),

        // Helpers shared by the tests that run the built `sddcal` binary.
        .target(name: "SDDCalTestSupport", path: "Tests/SDDCalTestSupport"),
        .testTarget(name: "SDDCoreTests", dependencies: ["SDDCore", "SDDCalTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "PeakFindingTests", dependencies: ["SDDCore", "PeakFinding", "PeakKernels"], resources: [.copy("Fixtures")]),
        .testTarget(name: "CentroidNetworkTests", dependencies: ["SDDCore", "CentroidNetwork", "NetworkKernels", "SDDCalTestSupport"]),
        .testTarget(name: "LineFittingTests", dependencies: ["SDDCore", "LineFitting"]),
        .testTarget(name: "CentroidSeedingTests", dependencies: ["SDDCore", "LineFitting", "CentroidNetwork", "CentroidSeeding"]),
        .testTarget(name: "CalibrationRefinementTests", dependencies: ["SDDCore", "LineFitting", "CalibrationRefinement", "LikelihoodKernels", "SDDCalTestSupport"]),
        .testTarget(name: "InspectorTests", dependencies: ["SDDCore", "Inspector", "LineFitting", "SDDCalTestSupport"], exclude: ["Snapshots"]),
    ],
    // Swift 5 language mode: data races are avoided by design (value types, one ncurses thread)
    // rather than by annotations on every numeric global.
    swiftLanguageModes: [.v5]
)
