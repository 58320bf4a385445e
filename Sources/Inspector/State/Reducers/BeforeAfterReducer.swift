import Foundation
import SDDCore

extension InspectorState {
    /// The part of `update` for the before/after view; nil when the action is not one of them.
    mutating func reduceBeforeAfter(_ action: Action) -> [Effect]? {
        switch action {
        case .recomputeBeforeAfter:
            return requestBeforeAfter()
        default: return nil
        }
        return []
    }
}
