import Foundation

/// Measurements of a terminal session: frames, bytes ncurses wrote per frame (all frames and the
/// frames drawn while the optimizer's live plot updated), and key-press-to-repaint latency.
public struct FrameStats: Codable, Sendable {
    public var frames = 0
    public var bytesTotal: UInt64 = 0
    public var bytesPerFrame: [Int] = []
    public var liveFrameBytes: [Int] = []
    public var keyToFrameMs: [Double] = []
    public var colors = ""
    public var glyphs = ""
    /// The signal (SIGINT, SIGTERM, SIGHUP, SIGQUIT, …) that ended the session, 0 when the user quit.
    public var signal: Int32 = 0

    public struct Summary: Codable, Sendable {
        public var frames: Int
        public var bytes_total: UInt64
        public var bytes_per_frame_median: Double
        public var live_plot_frames: Int
        public var live_plot_bytes_per_frame_median: Double
        public var live_plot_bytes_per_frame_max: Int
        public var key_to_frame_ms_median: Double
        public var key_to_frame_ms_p95: Double
        public var key_to_frame_ms_max: Double
        public var key_presses: Int
        public var colors: String
        public var glyphs: String
    }

    static func median<T: BinaryInteger>(_ v: [T]) -> Double {
        guard !v.isEmpty else { return 0 }
        let s = v.sorted()
        return s.count % 2 == 1 ? Double(s[s.count / 2]) : Double(s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
    static func quantile(_ v: [Double], _ q: Double) -> Double {
        guard !v.isEmpty else { return 0 }
        let s = v.sorted()
        return s[Swift.min(s.count - 1, Int((Double(s.count - 1) * q).rounded()))]
    }

    public var summary: Summary {
        Summary(frames: frames, bytes_total: bytesTotal, bytes_per_frame_median: Self.median(bytesPerFrame),
                live_plot_frames: liveFrameBytes.count, live_plot_bytes_per_frame_median: Self.median(liveFrameBytes),
                live_plot_bytes_per_frame_max: liveFrameBytes.max() ?? 0,
                key_to_frame_ms_median: Self.quantile(keyToFrameMs, 0.5), key_to_frame_ms_p95: Self.quantile(keyToFrameMs, 0.95),
                key_to_frame_ms_max: keyToFrameMs.max() ?? 0, key_presses: keyToFrameMs.count, colors: colors, glyphs: glyphs)
    }

    /// Writes the summary as JSON.
    public func write(to path: String) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try enc.encode(summary).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
