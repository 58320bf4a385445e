import ArgumentParser

/// The `sddcal` command: every step of the calibration as a subcommand with JSON output.
@main
struct SDDCal: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sddcal",
        abstract: "Calibrate and inspect the X-ray spectra of Silicon Drift Detectors.",
        version: "0.1.0",
        subcommands: [
            Simulate.self,
            Summary.self,
            Convert.self,
            Calibrate.self,
            Fit.self,
            TrainCommand.self,
            EvaluatePeaksCommand.self,
            Optimize.self,
            Peaks.self,
            Inspect.self,
            Demo.self,
            Report.self,
            Apply.self,
            Validate.self,
            Faults.self,
        ])
}
