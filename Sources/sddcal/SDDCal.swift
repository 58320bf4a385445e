import ArgumentParser
@main struct SDDCal: ParsableCommand { static let configuration = CommandConfiguration(commandName: "sddcal", abstract: "Calibrate SDD X-ray spectra.", subcommands: [TrainCommand.self]) }
