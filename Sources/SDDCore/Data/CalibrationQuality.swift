import Foundation

/// How good a cell's calibration is, judged by named rules with thresholds: the same verdicts for
/// `sddcal calibrate` and the inspector's overview.
///
/// A verdict is a list of ``Finding``s, each with its level and the reason in words; the cell's level is
/// the worst of them (``Level/ok`` when there is none).
public struct CalibrationQuality: Sendable, Hashable {
    /// How serious a finding is.
    public enum Level: Int, Sendable, Hashable, Comparable, CustomStringConvertible {
        /// Nothing to look at.
        case ok
        /// Worth a look: the calibration may be off.
        case check
        /// Miscalibrated or unusable.
        case bad

        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
        public var description: String { self == .ok ? "ok" : self == .check ? "check" : "bad" }
    }

    /// One rule that fired, with what it measured.
    public enum Finding: Sendable, Hashable, CustomStringConvertible {
        /// The cell has no calibration at all.
        case notCalibrated
        /// Batches whose standard fit failed (they borrow a neighbour's calibration).
        case failedFits(batches: Int)
        /// The largest |calibrated centroid − tabulated energy| over the cell's lines (eV).
        case residual(eV: Double, level: Level)
        /// Batches that left lines out of their calibration.
        case missingLines(batches: Int)
        /// The largest pull: a residual over its centroid's energy error (σ).
        case pull(sigmas: Double)
        /// The Cu Kα line of the cell's calibrated events could not be fitted.
        case cuKaFitFailed
        /// Cu Kα FWHM over the hardware limit by this fraction (0.2 = 20 %).
        case overHardwareLimit(fraction: Double)
        /// The cell records (almost) nothing: its events against the array's median cell.
        case deadCell(events: Int, arrayEvents: Double)
        /// The cell's noise (ENC from its strongest line's width) against the array's median ENC (e⁻).
        case noisy(enc: Double, arrayENC: Double)
        /// A batch whose strongest line has far fewer counts than its duration leads to expect.
        case fewCounts(batch: Int, line: String, counts: Int, expected: Double)
        /// The strongest line jumps inside a batch by `shift` eV at `hours` after the batch's start.
        case gainStep(batch: Int, hours: Double, line: String, shift: Double)
        /// The tallest peak of a batch is not on the strongest line's mark: peaks taken for other lines.
        case wrongIdentification(batch: Int, line: String, tallestEnergy: Double, markRatio: Double)
        /// A batch's two strongest lines sit off their marks by different amounts (eV, by line id).
        case linesOffMarks(batch: Int, offsets: [String: Double])
        /// A batch's two strongest lines sit off their marks by the same amount: the offset is shifted.
        case offsetShift(batch: Int, offsets: [String: Double])

        /// How serious it is.
        public var level: Level {
            switch self {
            case .notCalibrated, .failedFits, .cuKaFitFailed, .deadCell, .gainStep, .wrongIdentification: return .bad
            case .residual(_, let l): return l
            case .missingLines, .pull, .overHardwareLimit, .noisy, .fewCounts: return .check
            case .linesOffMarks(_, let o), .offsetShift(_, let o):
                return (o.values.map(abs).max() ?? 0) > 30 ? .bad : .check
            }
        }

        /// The batch (index as in the calibration file) and line that caused the finding, where it has them:
        /// where the inspector goes when Enter is pressed on the flag.
        public var location: (batch: Int?, line: String?) {
            switch self {
            case .fewCounts(let b, let l, _, _), .gainStep(let b, _, let l, _), .wrongIdentification(let b, let l, _, _): return (b, l)
            case .linesOffMarks(let b, let o), .offsetShift(let b, let o):
                return (b, o.max { abs($0.value) < abs($1.value) }?.key)
            default: return (nil, nil)
            }
        }

        /// How specific the finding is: the most specific reason is named first (a dead cell also has
        /// failed fits; a gain step also moves lines off their marks).
        var rank: Int {
            switch self {
            case .deadCell: return 0
            case .fewCounts: return 1
            case .gainStep: return 2
            case .wrongIdentification: return 3
            case .offsetShift: return 4
            case .linesOffMarks: return 5
            case .noisy: return 6
            case .notCalibrated: return 7
            case .failedFits: return 8
            case .residual: return 9
            case .cuKaFitFailed: return 10
            case .pull: return 11
            case .missingLines: return 12
            case .overHardwareLimit: return 13
            }
        }

        /// The reason in a physicist's words, e.g. "residual 31 eV", "2 batch fit(s) failed".
        public var description: String {
            switch self {
            case .notCalibrated: return "not calibrated"
            case .failedFits(let n): return "\(n) batch fit(s) failed"
            case .residual(let e, _): return String(format: "residual %.0f eV", e)
            case .missingLines(let n): return "lines missing in \(n)"
            case .pull(let p): return String(format: "pull %.0fσ", p)
            case .cuKaFitFailed: return "Cu Kα fit failed"
            case .overHardwareLimit(let f): return String(format: "Cu %.0f%% over limit", f * 100)
            case .deadCell(let n, let median):
                return n == 0 ? "no events: dead cell" : "only \(n) events (array median \(Int(median.rounded()))): dead cell"
            case .noisy(let enc, let median):
                return String(format: "resolution %.1f× the array's (ENC %.1f e⁻ vs %.1f): noisy", enc / median, enc, median)
            case .fewCounts(let b, let l, let n, let expected):
                return "only \(n) \(Self.label(l)) counts in batch \(b) (\(Int(expected.rounded())) expected)"
            case .gainStep(let b, let h, let l, let shift):
                return String(format: "gain step at %.1f h in batch %d: ", h, b) + "\(Self.label(l)) doubled (\(Self.signed(shift)) eV)"
            case .wrongIdentification(let b, let l, let e, let r):
                return "lines off the marks in batch \(b): tallest peak at \(Int(e.rounded())) eV, "
                    + String(format: "%.2f× as high at ", r) + "\(Self.label(l)): wrong line identification"
            case .linesOffMarks(let b, let o):
                let worst = o.values.map(abs).max() ?? 0
                return "lines off the marks by \(Int(worst.rounded())) eV in batch \(b) (\(Self.list(o))): wrong gain or line identification?"
            case .offsetShift(let b, let o):
                let mean = o.values.reduce(0, +) / Double(Swift.max(1, o.count))
                let names = o.keys.sorted { (SpectralLine(id: $0)?.energy ?? 0) < (SpectralLine(id: $1)?.energy ?? 0) }.map(Self.element)
                return "offset shifted in batch \(b): \(names.joined(separator: " and ")) both \(Self.signed(mean)) eV"
            }
        }

        /// "Mn Kα" for "MnKa".
        static func label(_ id: String) -> String { SpectralLine(id: id)?.label ?? id }
        /// "Mn" for "MnKa".
        static func element(_ id: String) -> String { SpectralLine(id: id)?.element ?? id }
        /// "−60" / "+45": a signed whole number with a true minus sign.
        static func signed(_ v: Double) -> String {
            let r = Int(v.rounded())
            return r < 0 ? "−\(-r)" : "+\(r)"
        }
        /// "Ti Kα −20, Mn Kα −45", by energy.
        static func list(_ o: [String: Double]) -> String {
            o.sorted { (SpectralLine(id: $0.key)?.energy ?? 0) < (SpectralLine(id: $1.key)?.energy ?? 0) }
                .map { "\(label($0.key)) \(signed($0.value))" }.joined(separator: ", ")
        }
    }

    /// A line whose calibrated centroid misses its tabulated energy by more than this is miscalibrated (eV).
    public var badResidual = 30.0
    /// … and by more than this worth a check (eV): several times a good batch's centroid error in energy.
    public var checkResidual = 10.0
    /// A residual smaller than this many times its centroid's energy error is noise, however large in eV,
    /// when it is the only one judged. A cell judges many (5 lines × 15 batches of a month): each of
    /// them is held to ``residualMinimumPull(judged:)``, which grows with their number.
    public var residualMinimumPull = 3.0
    /// A residual this many times its energy error (statistical and systematic) is worth a check, even when small in eV.
    public var checkPull = 5.0
    /// Systematic floor of the calibration model, in eV, added in quadrature to each line's statistical
    /// energy error in a pull: these SDDs respond linearly within 2–3 eV (largest departure) over
    /// 4.5–12 keV (SIDDHARTA-2 SDD tests; docs/physics.md §11), ~1 eV rms, which
    /// E = p0 + p1·ADC + p2·ADC² through a few lines cannot follow. Without it a cell of 10⁷ counts
    /// (centroid errors of a few hundredths of an eV) is flagged for any eV-level departure; with it a
    /// pull of 5 needs a residual of ≥ 6 eV.
    public var modelSystematic = 1.0
    /// Cu Kα FWHM more than this fraction over the cell's hardware limit is worth a check …
    public var checkOverHardwareLimit = 0.15
    /// … when it lies beyond that mark by at least this many times its fit error: a month of ~150 Cu Kα
    /// counts (a tenth of the usual rate) measures the FWHM to ±7–20 %, and a clean cell's is then
    /// 15 % over its limit by chance in one cell of ten.
    public var overHardwareLimitMinimumPull = 2.0

    /// A batch missing a line expected to have fewer counts than this is no finding (see `findings(batches:profile:)`).
    public var missingLineMinimumCounts = 100.0
    /// A line jump inside a batch larger than this (eV) is a gain step …
    public var stepMinimumShift = 40.0
    /// … when a jump explains the line's position in time this much better (Δχ²) than a linear drift.
    public var stepMinimumSignificance = 30.0
    /// A batch's strongest lines off their marks by more than this (eV) are worth a look (bad above 30 eV).
    public var offMarks = 20.0
    /// Two lines off their marks by amounts within this (eV, plus a tenth of the larger) are one shifted offset.
    public var offsetAgreement = 8.0
    /// The strongest line's mark holding less than this fraction of the tallest peak: wrong identification.
    public var wrongIdentificationRatio = 0.5
    /// The tallest peak this far (eV) from the strongest line's mark: wrong identification (another line is
    /// the tallest, e.g. Ti Kα on Mn Kα's mark, the real Mn Kα elsewhere).
    public var wrongIdentificationDistance = 200.0
    /// A batch whose strongest line has less than this fraction of the counts its duration leads to expect.
    public var fewCountsFraction = 0.25
    /// A cell whose strongest line rate is below this fraction of the array's median is dead.
    public var deadFraction = 0.05
    /// A cell whose ENC is this many times the array's median is noisy.
    public var noisyRatio = 1.4

    public init() {}

    /// The findings from the batches' own events (``BatchLineCheck``), most telling first per batch: too
    /// few counts, else a jump of the strongest line, else a tallest peak off its mark, else lines off
    /// their marks (the same amount: a shifted offset). A batch gives at most one of these.
    public func findings(lineChecks checks: [BatchLineCheck]) -> [Finding] {
        // Expected counts from the cell's typical rate (median over batches of counts per second).
        let rates = checks.filter { $0.end > $0.start }.map { Double($0.counts) / ($0.end - $0.start) }.sorted()
        let medianRate = rates.isEmpty ? 0 : rates[rates.count / 2]
        var out: [Finding] = []
        for c in checks {
            let expected = medianRate * Swift.max(0, c.end - c.start)
            if Double(c.counts) < fewCountsFraction * expected {
                out.append(.fewCounts(batch: c.batch, line: c.line, counts: c.counts, expected: expected))
                continue
            }
            if let s = c.step, abs(s.shift) > stepMinimumShift, s.significance > stepMinimumSignificance {
                out.append(.gainStep(batch: c.batch, hours: (s.time - c.start) / 3600, line: c.line, shift: s.shift))
                continue
            }
            if let r = c.markRatio, let e = c.tallestEnergy, let mark = SpectralLine(id: c.line)?.energy,
               r < wrongIdentificationRatio || abs(e - mark) > wrongIdentificationDistance {
                out.append(.wrongIdentification(batch: c.batch, line: c.line, tallestEnergy: e, markRatio: r))
                continue
            }
            let worst = c.offsets.values.map(abs).max() ?? 0
            guard worst > offMarks else { continue }
            let values = Array(c.offsets.values)
            // One offset moves every line by the same eV; a wrong gain moves them in proportion to their energy.
            if values.count >= 2, (values.max()! - values.min()!) <= offsetAgreement + worst / 10 {
                out.append(.offsetShift(batch: c.batch, offsets: c.offsets))
            } else {
                out.append(.linesOffMarks(batch: c.batch, offsets: c.offsets))
            }
        }
        return out
    }

    /// A dead cell: fewer events than `deadFraction` of the array's median cell.
    public func deadCell(events: Int, arrayEvents: Double) -> Finding? {
        arrayEvents > 0 && Double(events) < deadFraction * arrayEvents ? .deadCell(events: events, arrayEvents: arrayEvents) : nil
    }

    /// A noisy cell: its ENC at least `noisyRatio` times the array's median.
    public func noisy(enc: Double, arrayENC: Double) -> Finding? {
        arrayENC > 0 && enc >= noisyRatio * arrayENC ? .noisy(enc: enc, arrayENC: arrayENC) : nil
    }

    /// Findings ordered most telling first; for a dead cell only that (the rest follows from it).
    public static func ordered(_ findings: [Finding]) -> [Finding] {
        if let dead = findings.first(where: { if case .deadCell = $0 { return true } else { return false } }) { return [dead] }
        return findings.enumerated().sorted { ($0.element.rank, $0.offset) < ($1.element.rank, $1.offset) }.map(\.element)
    }

    /// The findings from a cell's batches in the calibration file (status, residuals, pulls, missing lines).
    ///
    /// With the profile, a missing line counts only when the batch's other lines say it should have had
    /// `missingLineMinimumCounts` (Cu Kα, 100× weaker than Mn Kα, is not missed in a batch of 1,000 Mn Kα counts).
    public func findings(batches: [CalibrationSet.Batch], profile: LineProfile? = nil) -> [Finding] {
        var out: [Finding] = []
        let failed = batches.filter { !$0.status.isUsable }.count
        if failed > 0 { out.append(.failedFits(batches: failed)) }
        // A residual counts when its centroid's error does not explain it (a 13 eV residual of a Cu Kα
        // centroid known to ±7 eV is noise, not a miscalibration); lines without an error always count.
        // The pull it needs grows with the residuals judged: of 60, one is beyond 3σ in one clean cell of 6.
        let judged = batches.reduce(0) { n, b in n + b.lines.filter { $0.residual != nil && $0.centroidError > 0 }.count }
        let minimumPull = residualMinimumPull(judged: judged)
        let maxResidual = batches.flatMap { b in b.lines.compactMap { l -> Double? in
            guard let r = l.residual else { return nil }
            let err = abs(b.calibration.slope(l.centroidADC)) * l.centroidError
            return err > 0 && abs(r) < minimumPull * err ? nil : abs(r)
        } }.max() ?? 0
        if maxResidual > badResidual { out.append(.residual(eV: maxResidual, level: .bad)) }
        else if maxResidual > checkResidual { out.append(.residual(eV: maxResidual, level: .check)) }
        let missing = batches.filter { b in b.missingLines.contains { expectedCounts($0, in: b, profile: profile).map { $0 >= missingLineMinimumCounts } ?? true } }.count
        if missing > 0 { out.append(.missingLines(batches: missing)) }
        // Pull of a line: its residual over the energy error of its centroid and the systematic floor.
        let maxPull = batches.flatMap { b in b.lines.compactMap { l -> Double? in
            guard let r = l.residual, l.centroidError > 0 else { return nil }
            return abs(r) / energyError(of: l, slope: abs(b.calibration.slope(l.centroidADC)))
        } }.max() ?? 0
        if maxPull > checkPull { out.append(.pull(sigmas: maxPull)) }
        return out
    }

    /// The pull each of `n` residuals judged together needs to count: the one at which any of them
    /// crosses by chance as often as a single residual crosses ``residualMinimumPull`` (Šidák: each
    /// two-sided tail 1 − (1 − α)^(1/n), α = P(|z| > residualMinimumPull) for a normal z). 3σ for one,
    /// 4.1σ for the 60 residuals of a month in 48 h batches, 4.3σ for 150. The residuals are judged
    /// against their centroids' errors, which the simulated months show are right (pulls of the fitted
    /// centroids against the true ones: rms 1.00 for every line at 1,000 events/cell/day).
    public func residualMinimumPull(judged n: Int) -> Double {
        let single = Swift.max(0, residualMinimumPull)
        guard n > 1 else { return single }
        let alpha = erfc(single / 2.squareRoot())
        let each = -expm1(log1p(-alpha) / Double(n))
        return Self.normalQuantile(twoSidedTail: each)
    }

    /// z with P(|Z| > z) = `p` for a standard normal Z, by bisection on erfc (monotone, to 10⁻¹² in z).
    static func normalQuantile(twoSidedTail p: Double) -> Double {
        guard p > 0 else { return .infinity }
        guard p < 1 else { return 0 }
        var lo = 0.0, hi = 40.0
        while hi - lo > 1e-12 {
            let mid = (lo + hi) / 2
            if erfc(mid / 2.squareRoot()) > p { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }

    /// A line's energy error for its pull (eV): the centroid's statistical error times the calibration's
    /// slope, the tabulated energy's uncertainty (``SpectralLine/energyUncertainty``) and
    /// `modelSystematic`, in quadrature.
    public func energyError(of l: CalibrationSet.LineResult, slope: Double) -> Double {
        let stat = slope * l.centroidError
        let table = SpectralLine(id: l.line)?.energyUncertainty ?? 0
        return (stat * stat + table * table + modelSystematic * modelSystematic).squareRoot()
    }

    /// The counts a line should have had in a batch: the batch's measured lines' counts over their
    /// typical yields in the profile, pooled (Σ counts / Σ yields, so the strong lines set it), times
    /// the line's yield; nil without a profile or measured counts. Not the largest of the lines'
    /// ratios: a weak line's count is the noisiest (21 Cu Kα counts, 1.4σ up, at yield 0.01 said 2,100
    /// where Mn Kα's 1,100 counts say 1,100, and made 164 Ti Kβ counts "expected" instead of 80).
    func expectedCounts(_ line: String, in b: CalibrationSet.Batch, profile: LineProfile?) -> Double? {
        guard let profile, let y = profile.typicalYields[line] else { return nil }
        var counts = 0.0, yields = 0.0
        for l in b.lines {
            guard let c = l.counts, c.isFinite, let yl = profile.typicalYields[l.line], yl > 0 else { continue }
            counts += c; yields += yl
        }
        return yields > 0 ? counts / yields * y : nil
    }

    /// The finding from the cell's Cu Kα resolution against its hardware limit (both FWHM in eV), if any:
    /// the FWHM over the limit by more than `checkOverHardwareLimit`, and beyond that mark by
    /// `overHardwareLimitMinimumPull` times its error (`cuKaFWHMError`, eV; without one, by any amount).
    public func finding(cuKaFWHM: Double, cuKaFWHMError: Double? = nil, hardwareLimit: Double) -> Finding? {
        let mark = hardwareLimit * (1 + checkOverHardwareLimit)
        let error = cuKaFWHMError.flatMap { $0.isFinite && $0 > 0 ? $0 : nil } ?? 0
        return cuKaFWHM > mark && cuKaFWHM - mark >= overHardwareLimitMinimumPull * error
            ? .overHardwareLimit(fraction: cuKaFWHM / hardwareLimit - 1) : nil
    }

    /// The worst level of some findings (ok for none).
    public static func level(_ findings: [Finding]) -> Level { findings.map(\.level).max() ?? .ok }
}
