// swift-tools-version: 6.0
// libFuzzer targets for every sddcal reader (issue 16). Kept out of the main package so that the
// sanitizer flags never reach a normal build: scripts/fuzz.sh builds this package with
// `-Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library` and runs each target.
import PackageDescription

let readers = ["EventCSV", "EventBinary", "AmptekMCA", "OrtecSpe", "TextSpectrum", "Numpy",
               "CalibrationJSON", "TruthJSON", "ModelFile", "ROOTFile"]

let package = Package(
    name: "sddcal-fuzz",
    dependencies: [.package(name: "sddcal", path: "..")],
    targets: [
        // The harness and every reader's `FuzzReader`; each target is one call of `runFuzzer`.
        .target(name: "FuzzSupport", dependencies: [.product(name: "SDDCore", package: "sddcal"),
                                                    .product(name: "CentroidNetwork", package: "sddcal")]),
    ] + readers.map { r in .executableTarget(name: "Fuzz" + r, dependencies: ["FuzzSupport"]) },
    swiftLanguageModes: [.v5]
)
