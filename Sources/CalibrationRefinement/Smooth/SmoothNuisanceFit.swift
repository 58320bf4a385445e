import Foundation
import LikelihoodKernels
import SDDCore

/// The nuisance parameters of one cell's smooth likelihood, fitted at a fixed calibration: the
/// detector response (ENC with the Fano factor fixed, tail fraction and slope: one per cell, shared
/// by all lines) and the mixture weights of each window (lines and background).
///
/// They are fitted on histograms of the calibrated energies (bins of `binWidth` eV, all events of
/// the month): with the calibration fixed these carry what the nuisances need, and a binned fit costs
/// microseconds instead of a pass over 10⁵ events per trial. Weights by EM (exact maximum for fixed
/// shapes, always positive); response by golden-section search, one coordinate at a time.
public struct SmoothNuisanceFit: Sendable {
    public var binWidth: Double = 6
    public var emIterations: Int = 30
    public var searchSteps: Int = 11
    public var encRange: ClosedRange<Double> = 4...30
    public var tailFractionRange: ClosedRange<Double> = 0.002...0.2
    public var tailSlopeRange: ClosedRange<Double> = 0.5...3.5

    public init() {}

    /// Fitted response and, per group, the component weights for ``LineGroupDensity/tables(response:weights:step:)``.
    public struct Result: Sendable {
        public var response: DetectorResponse
        public var weights: [[Double]]
        /// Binned log-likelihood at the result.
        public var logLikelihood: Double
    }

    /// Histograms of calibrated energies per group at coefficients x.
    public func histograms(_ events: SmoothCellEvents, model: SmoothCellModel, x: [Double]) -> [Histogram] {
        let q = x[2 * events.grid.count]
        let gains = SmoothCellLikelihood.IntervalGains(x, knots: events.grid.count)
        return events.groups.indices.map { gi in
            let w = events.groups[gi].window
            let bins = max(1, Int(((w.upperBound - w.lowerBound) / binWidth).rounded(.down)))
            var counts = [Double](repeating: 0, count: bins)
            let bw = (w.upperBound - w.lowerBound) / Double(bins)
            // u = B(x) + q·w(x) once per channel; exp(g) per interval (``SmoothCellLikelihood/IntervalGains``);
            // the pass over the events in C (``LikelihoodKernels``), the same arithmetic.
            let u = events.channelRange[gi].map { model.shape(Double($0), curvature: q).u }
            u.withUnsafeBufferPointer { ub in counts.withUnsafeMutableBufferPointer { cb in
                events.withKernelGroup(gi, x: x, gains: gains, edges: [], terms: [], stride: 1) {
                    sdd_smooth_histogram($0, ub.baseAddress, w.lowerBound, bw, cb.baseAddress, bins)
                }
            }}
            return Histogram(lowerEdge: w.lowerBound, binWidth: bw, counts: counts)
        }
    }

    /// Fits response and weights to the histograms, starting from `response`.
    /// With `narrow`, the searches stay near `response` (a refit after the calibration moved a little).
    public func fit(_ hists: [Histogram], groups: [LineGroupDensity], response start: DetectorResponse, narrow: Bool = false) -> Result {
        var r = start
        var cache: [[Double]] = groups.map { [Double](repeating: 1 / Double($0.componentCount), count: $0.componentCount) }
        func score(_ resp: DetectorResponse) -> Double {
            var total = 0.0
            for gi in groups.indices {
                let (ll, pi) = emFit(hists[gi], group: groups[gi], response: resp, start: cache[gi])
                cache[gi] = pi
                total += ll
            }
            return total
        }
        func search(_ range: ClosedRange<Double>, _ set: (inout DetectorResponse, Double) -> Void) {
            // Golden-section maximisation.
            var a = range.lowerBound, b = range.upperBound
            let phi = 0.6180339887498949
            var c = b - phi * (b - a), d = a + phi * (b - a)
            var rc = r, rd = r
            set(&rc, c); set(&rd, d)
            var fc = score(rc), fd = score(rd)
            for _ in 0..<searchSteps {
                if fc > fd { b = d; d = c; fd = fc; c = b - phi * (b - a); rc = r; set(&rc, c); fc = score(rc) }
                else { a = c; c = d; fc = fd; d = a + phi * (b - a); rd = r; set(&rd, d); fd = score(rd) }
            }
            set(&r, fc > fd ? c : d)
        }
        func near(_ v: Double, _ range: ClosedRange<Double>, _ w: Double) -> ClosedRange<Double> {
            max(range.lowerBound, v - w)...min(range.upperBound, v + w)
        }
        if narrow {
            // A poor calibration smears the lines, so the previous ENC may be far too high: search all of
            // the range below it.
            search(encRange.lowerBound...min(encRange.upperBound, r.enc + 1)) { $0.enc = $1 }
            search(near(r.tailFraction, tailFractionRange, 0.02)) { $0.tailFraction = $1 }
            search(near(r.tailSlope, tailSlopeRange, 0.4)) { $0.tailSlope = $1 }
        } else {
            search(encRange) { $0.enc = $1 }
            search(tailFractionRange) { $0.tailFraction = $1 }
            search(tailSlopeRange) { $0.tailSlope = $1 }
            search(near(r.enc, encRange, 1)) { $0.enc = $1 }
        }
        // Final weights at the chosen response, converted to un-truncated mixture weights π_j / M_j.
        var weights: [[Double]] = []
        var total = 0.0
        for gi in groups.indices {
            let (ll, pi, mass) = emFitWithMass(hists[gi], group: groups[gi], response: r, start: cache[gi])
            total += ll
            weights.append(zip(pi, mass).map { $1 > 0 ? $0 / $1 : 0 })
        }
        return Result(response: r, weights: weights, logLikelihood: total)
    }

    func emFit(_ h: Histogram, group: LineGroupDensity, response: DetectorResponse, start: [Double]) -> (Double, [Double]) {
        let r = emFitWithMass(h, group: group, response: response, start: start)
        return (r.0, r.1)
    }

    /// EM for the fractions π_j (of the window's events) of components with bin probabilities fixed
    /// by the response; returns the binned log-likelihood, π and each component's mass in the window.
    func emFitWithMass(_ h: Histogram, group: LineGroupDensity, response: DetectorResponse, start: [Double]) -> (Double, [Double], [Double]) {
        let shapes = group.shapes(response)
        let nc = group.componentCount, nb = h.counts.count
        // Only occupied bins enter the EM update and the likelihood: their counts and the components'
        // probabilities there (component-major, each normalised to the component's mass in the window).
        let occupied = (0..<nb).filter { h.counts[$0] > 0 }
        let no = occupied.count
        // Rows of q (and the counts) padded with zeros to a multiple of 4 bins: the EM kernel reads four bins per vector.
        let st = (no + 3) & ~3
        let counts = occupied.map { h.counts[$0] } + [Double](repeating: 0, count: st - no)
        var q = [Double](repeating: 0, count: nc * st)
        var mass = [Double](repeating: 0, count: nc)
        for j in 0..<nc {
            var prev = group.componentCDF(j, shapes: shapes, at: h.lowerEdge)
            let first = prev
            var m = 0
            for b in 0..<nb {
                let next = group.componentCDF(j, shapes: shapes, at: h.lowerEdge + Double(b + 1) * h.binWidth)
                if m < no && occupied[m] == b { q[j * st + m] = max(0, next - prev); m += 1 }
                prev = next
            }
            mass[j] = prev - first
            if mass[j] > 0 { for m in 0..<no { q[j * st + m] /= mass[j] } }
        }
        var pi = start.count == nc ? start : [Double](repeating: 1 / Double(nc), count: nc)
        let n = max(1, h.total)
        // The EM updates in C (``LikelihoodKernels``): one pass over the bins per iteration, four bins per vector.
        sdd_mixture_em(q, counts, st, nc, n, Int32(emIterations), &pi)
        var ll = 0.0
        for m in 0..<no {
            var mx = 0.0
            for j in 0..<nc { mx += pi[j] * q[j * st + m] }
            ll += counts[m] * Foundation.log(max(mx, 1e-300))
        }
        return (ll, pi, mass)
    }
}
