import ArgumentParser
import SDDCore

/// `--branches cell,adc,time`: which branches of a ROOT tree hold the events (commands that read events).
struct ROOTInputOptions: ParsableArguments {
    @Option(help: "ROOT trees: the branches holding cell, ADC value and time (file.root or file.root:TREE).")
    var branches = "sdd,adc,time"

    /// Event read options with the branch names (strict unless `lenient`).
    func readOptions(lenient: Bool = false, knownCells: ClosedRange<Int>? = nil) throws -> EventReadOptions {
        EventReadOptions(lenient: lenient, knownCells: knownCells, rootBranches: try ROOTEventBranches(parsing: branches))
    }
}
