import Foundation

/// ROOT histograms as sddcal spectra: each selected `TH1` becomes a `SpectrumRecord` with its
/// fixed-width bins as the histogram, its key path, class, title, entries and flow bins as
/// metadata, its key path as the label. One histogram is a single-detector spectrum (cell nil); several
/// are numbered cells 0, 1, … in key order, each labelled by its key path (`bus1_sdd6`).
///
/// A DAQ fills integer ADC values into unit bins with integer edges (`TH1F(n, 0, n)`): the value k
/// lands in the bin [k, k + 1). Such a histogram is read as ADC channels (channel k = [k − ½, k + ½),
/// sddcal's convention), i.e. shifted by −½, so peak positions come out in ADC values, not half a
/// channel high; `ROOT_EDGE_SHIFT` = -0.5 in the metadata says so.
public enum ROOTSpectra {
    /// The spectra of the histograms a selection names. Errors name the file and the key.
    public static func records(_ selection: ROOTSelection) throws -> [SpectrumRecord] {
        let file = try ROOTFile(path: selection.file)
        return try records(file, selection: selection)
    }

    static func records(_ file: ROOTFile, selection: ROOTSelection) throws -> [SpectrumRecord] {
        let all = file.histogramEntries
        let chosen = selection.select(all)
        guard !chosen.isEmpty else {
            // The pattern names objects of other classes (a TTree, an RNTuple, a TH2…): say so.
            let others = selection.pattern == nil ? [] : selection.select(file.entries).filter { !$0.isDirectory }
            if !others.isEmpty {
                let list = others.prefix(4).map { "'\(InputQuote.escape($0.path))' (\(InputQuote.escape($0.className)))" }.joined(separator: ", ")
                throw SDDError.badFile(file: selection.file, message: "\(list) \(others.count == 1 ? "is not a 1-D histogram" : "are not 1-D histograms") (TH1C/S/I/F/D); trees are read as events by commands that take events")
            }
            let names = all.prefix(8).map { InputQuote.escape($0.path) }.joined(separator: ", ")
            let what = selection.pattern.map { "no 1-D histogram (TH1C/S/I/F/D) matches '\(InputQuote.escape($0))'" }
                ?? "holds no 1-D histogram (TH1C/S/I/F/D)"
            throw SDDError.badFile(file: selection.file, message: all.isEmpty ? what : "\(what); histograms: \(names)\(all.count > 8 ? ", … (\(all.count) in all)" : "")")
        }
        // Keys are independent: read, inflated and decoded on all cores; the first failure in key
        // order is the error, as when reading one after the other.
        var out = [Result<SpectrumRecord, Error>?](repeating: nil, count: chosen.count)
        out.withUnsafeMutableBufferPointer { buf in
            DispatchQueue.concurrentPerform(iterations: chosen.count) { i in
                let e = chosen[i]
                buf[i] = Result { try record(file.histogram(e), entry: e, file: file, cell: chosen.count == 1 ? nil : i) }
            }
        }
        return try out.map { try $0!.get() }
    }

    /// One histogram as a spectrum: fixed-width bins only; contents finite and non-negative.
    static func record(_ h: ROOTHistogram, entry: ROOTFile.Entry, file: ROOTFile, cell: Int?) throws -> SpectrumRecord {
        let what = entry.key.described(path: entry.path)
        func fail(_ m: String) -> SDDError { ROOTError.at(file.path, entry.key.seekKey, "\(what): \(m)") }
        guard !h.variableBins else {
            throw fail("variable-width bins (TAxis fXbins) cannot be a channel spectrum; rebin to fixed width")
        }
        if let bad = h.counts.firstIndex(where: { !($0 >= 0) || !$0.isFinite }) {
            throw fail("content of bin \(bad + 1) is \(h.counts[bad]); spectra need finite, non-negative counts")
        }
        let lo = h.edges[0], hi = h.edges[h.edges.count - 1]
        let width = (hi - lo) / Double(h.counts.count)
        let integerUnitBins = width == 1 && lo == lo.rounded() && abs(lo) < 1e9
        let hist = Histogram(lowerEdge: integerUnitBins ? lo - 0.5 : lo, binWidth: width, counts: h.counts)
        var meta: [String: String] = ["ROOT_KEY": entry.path, "ROOT_CLASS": h.className, "ENTRIES": "\(h.entries)",
                                      "UNDERFLOW": "\(h.underflow)", "OVERFLOW": "\(h.overflow)"]
        if integerUnitBins { meta["ROOT_EDGE_SHIFT"] = "-0.5" }
        if !h.title.isEmpty { meta["TITLE"] = h.title }
        var record = SpectrumRecord(cell: cell, histogram: hist, metadata: meta)
        record.label = CellLabel.clean(entry.path)
        return record
    }
}
