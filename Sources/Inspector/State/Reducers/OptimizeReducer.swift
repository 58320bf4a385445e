import Foundation
import SDDCore

extension InspectorState {
    /// The part of `update` for the optimize view: starting, cancelling, accepting and discarding; nil when the action is not one of them.
    mutating func reduceOptimize(_ action: Action) -> [Effect]? {
        switch action {
        case .startOptimization:
            guard optimize.phase != .running, optimize.phase != .cancelling else { break }
            guard services.optimizer else { message = "optimizer not available in this build"; break }
            guard dataset?.calibration != nil else { message = "waiting for the standard calibration"; break }
            guard dataset?.events != nil else { message = "optimization needs an event file (cell, ADC, time)"; break }
            optimize = OptimizeState()
            optimize.phase = .running
            dataset?.optimized = nil
            return [.startOptimization]
        case .cancelOptimization:
            guard optimize.phase == .running else { break }
            optimize.phase = .cancelling
            return [.cancelOptimization]
        case .acceptOptimization:
            guard optimize.phase == .finished || optimize.phase == .cancelled, dataset?.optimized != nil else {
                message = "no result to accept"; break
            }
            optimize.phase = .accepted
            message = "optimized calibration accepted"
            return calibrationChanged() + (services.save ? [.saveCalibration] : [])
        case .discardOptimization:
            guard optimize.phase == .finished || optimize.phase == .cancelled || optimize.phase == .accepted else {
                message = "no result to discard"; break
            }
            optimize.phase = .discarded
            dataset?.optimized = nil
            message = "optimized calibration discarded"
            return calibrationChanged()
        default: return nil
        }
        return []
    }
}
