import Foundation
import SDDCore

extension InspectorState {
    /// The part of `update` for tabs, help, quit, resize and glyphs; nil when the action is not one of them.
    mutating func reduceFrame(_ action: Action) -> [Effect]? {
        switch action {
        case .show(let v): return show(v)
        case .nextView: return show(View(rawValue: (view.rawValue + 1) % View.allCases.count)!)
        case .previousView: return show(View(rawValue: (view.rawValue + View.allCases.count - 1) % View.allCases.count)!)
        case .toggleHelp: showHelp.toggle()
        case .back:
            if showHelp { showHelp = false } else if view != .overview { view = .overview }
        case .quit: shouldQuit = true
        case let .resize(w, h): width = Swift.max(1, w); height = Swift.max(1, h)
        case .cycleGlyphs:
            let all = GlyphSet.allCases
            glyphs = all[(all.firstIndex(of: glyphs)! + 1) % all.count]
        default: return nil
        }
        return []
    }
}
