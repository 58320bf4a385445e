/// A one-dimensional ROOT histogram (`TH1C`, `TH1S`, `TH1I`, `TH1F`, `TH1D`) as stored: bin contents
/// including underflow and overflow, the bin edges (fixed-width or the axis's own list), the entry
/// count, name and title.
public struct ROOTHistogram: Sendable, Equatable {
    /// The ROOT class (e.g. "TH1F").
    public var className: String
    public var name: String
    public var title: String
    /// Contents of the `nbins` bins in axis order (without under- and overflow).
    public var counts: [Double]
    public var underflow: Double
    public var overflow: Double
    /// The `nbins + 1` bin edges: computed from `xmin`, `xmax` for fixed bins, as stored for variable bins.
    public var edges: [Double]
    /// True when the axis stores its own edges (`TAxis::fXbins`), i.e. the bins may differ in width.
    public var variableBins: Bool
    /// `TH1::fEntries`: the number of fills (may differ from the sum of contents).
    public var entries: Double

    /// The classes this reader decodes, with the byte size of their content elements.
    static let contentSizes: [String: Int] = ["TH1C": 1, "TH1S": 2, "TH1I": 4, "TH1F": 4, "TH1D": 8]

    /// True for a class name this reader can decode.
    public static func isSupported(className: String) -> Bool { contentSizes[className] != nil }

    /// Decodes a TH1 object without streamer information: the layout of TH1 versions 5–8 (ROOT 5.x
    /// and 6.x), each part delimited by its byte count so that fields this reader does not need are
    /// skipped whole.
    static func read(_ b: inout ROOTBuffer, className: String) throws -> ROOTHistogram {
        guard let size = contentSizes[className] else { throw b.error("class \(InputQuote.escape(className)) is not a 1-D histogram this reader decodes") }
        let outer = try b.versionHeader(className)
        let th1 = try b.versionHeader("TH1")
        guard (5...8).contains(th1.version), th1.end != nil else {
            throw b.error("TH1 version \(th1.version) is not supported (ROOT 5/6 write 5–8)")
        }
        let (name, title) = try b.named("TH1 TNamed")
        try b.skipObject("TAttLine")
        try b.skipObject("TAttFill")
        try b.skipObject("TAttMarker")
        let ncellsAt = b.position
        let ncells = Int(try b.i32("fNcells"))
        let axisAt = b.position
        let axis = try readAxis(&b)
        try b.skipObject("fYaxis")
        try b.skipObject("fZaxis")
        _ = try b.i16("fBarOffset")
        _ = try b.i16("fBarWidth")
        let entries = try b.f64("fEntries")
        try b.skip(to: th1.end, "TH1")
        let n = try b.count("TArray length", elementSize: size)
        guard n == ncells, n == axis.nbins + 2 else {
            throw b.error("\(n) bin contents for an axis of \(axis.nbins) bins (fNcells \(ncells)): expected nbins + 2", at: n == ncells ? axisAt : ncellsAt)
        }
        // The conversion is chosen once per histogram, not by a class-name comparison per bin.
        let values: [Double]
        switch className {
        case "TH1C": values = try b.bigEndianArray(n, elementSize: size, "bin contents") { Double(Int8(truncatingIfNeeded: $0)) }
        case "TH1S": values = try b.bigEndianArray(n, elementSize: size, "bin contents") { Double(Int16(truncatingIfNeeded: $0)) }
        case "TH1I": values = try b.bigEndianArray(n, elementSize: size, "bin contents") { Double(Int32(truncatingIfNeeded: $0)) }
        case "TH1F": values = try b.bigEndianArray(n, elementSize: size, "bin contents") { Double(Float(bitPattern: UInt32(truncatingIfNeeded: $0))) }
        default: values = try b.bigEndianArray(n, elementSize: size, "bin contents") { Double(bitPattern: $0) }
        }
        try b.skip(to: outer.end, className)
        return ROOTHistogram(className: className, name: name, title: title, counts: Array(values[1..<(n - 1)]),
                             underflow: values[0], overflow: values[n - 1], edges: axis.edges,
                             variableBins: axis.variable, entries: entries)
    }

    /// A `TAxis`: bin count, range and optional edge list; the rest is skipped by byte count.
    static func readAxis(_ b: inout ROOTBuffer) throws -> (nbins: Int, edges: [Double], variable: Bool) {
        let start = b.position
        let h = try b.versionHeader("fXaxis")
        guard h.end != nil, h.version >= 6 else { throw b.error("TAxis version \(h.version) is not supported", at: start) }
        _ = try b.named("fXaxis TNamed")
        try b.skipObject("TAttAxis")
        let nbinsAt = b.position
        let nbins = Int(try b.i32("fNbins"))
        let xmin = try b.f64("fXmin")
        let xmax = try b.f64("fXmax")
        guard nbins >= 1, nbins <= b.bytes.count else { throw b.error("fNbins \(nbins) is not a bin count", at: nbinsAt) }
        let edgesAt = b.position
        let nedges = try b.count("fXbins length", elementSize: 8)
        var edges: [Double]
        if nedges == 0 {
            guard xmin.isFinite, xmax.isFinite, xmax > xmin else {
                throw b.error("axis range [\(xmin), \(xmax)] is not an interval", at: nbinsAt + 4)
            }
            // As ROOT and numpy.linspace compute them: i·(xmax − xmin)/nbins + xmin, the last one xmax.
            let w = (xmax - xmin) / Double(nbins)
            edges = (0...nbins).map { Double($0) * w + xmin }
            edges[nbins] = xmax
        } else {
            guard nedges == nbins + 1 else { throw b.error("fXbins holds \(nedges) edges for \(nbins) bins", at: edgesAt) }
            edges = []
            edges.reserveCapacity(nedges)
            for _ in 0..<nedges { edges.append(try b.f64("fXbins edge")) }
            for i in 0..<nbins where !(edges[i] < edges[i + 1]) || !edges[i + 1].isFinite || !edges[i].isFinite {
                throw b.error("fXbins edges \(edges[i]), \(edges[i + 1]) are not increasing finite numbers", at: edgesAt + 4 + 8 * i)
            }
        }
        try b.skip(to: h.end, "fXaxis")
        return (nbins, edges, nedges != 0)
    }
}
