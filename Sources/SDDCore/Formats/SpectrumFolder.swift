import Foundation

/// A folder of spectrum files (`.mca`, `.Spe`, text/CSV, 1-D `.npy`), one detector per file: read
/// as one cell per file in file-name order (cells 0, 1, …), each labelled with its file name without
/// the extension (`bus1_sdd6.mca` → `bus1_sdd6`), as the
/// histograms of a ROOT file are. Hidden files and files of other extensions are skipped; a file
/// that holds several spectra is an error naming it.
enum SpectrumFolder {
    /// Extensions read from a folder (lower case).
    static let extensions: Set<String> = ["mca", "spe", "txt", "csv", "dat", "tsv", "npy"]
    /// At most this many files: cell numbers stay within the 16-bit cell field of event files.
    static let maxFiles = 65_536

    /// True when `path` names a directory.
    static func isFolder(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }

    /// The spectrum files of a folder, in name order.
    static func files(_ path: String) throws -> [String] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
            throw SDDError.badFile(file: path, message: "cannot list the folder: \(error.localizedDescription)")
        }
        let chosen = names.filter { !$0.hasPrefix(".") && extensions.contains(EventFile.fileExtension($0)) }.sorted()
        guard !chosen.isEmpty else {
            throw SDDError.badFile(file: path, message: "folder holds no spectrum file (\(extensions.sorted().map { "." + $0 }.joined(separator: ", ")))")
        }
        guard chosen.count <= maxFiles else {
            throw SDDError.badFile(file: path, message: "folder holds \(chosen.count) spectrum files, more than \(maxFiles) cells")
        }
        return chosen
    }

    /// One record per file: cell = position in name order, label = file name without extension.
    static func records(_ path: String) throws -> [SpectrumRecord] {
        let names = try files(path)
        return try names.enumerated().map { i, name in
            let file = (path as NSString).appendingPathComponent(name)
            if isFolder(file) { throw SDDError.badFile(file: file, message: "is a directory (folders are read one level deep)") }
            let rs = try SpectrumFile.read(file)
            guard rs.count == 1 else {
                throw SDDError.badFile(file: file, message: "holds \(rs.count) spectra; a folder's files hold one spectrum (one cell) each")
            }
            var r = rs[0]
            r.cell = i
            r.label = CellLabel.clean((name as NSString).deletingPathExtension)
            return r
        }
    }
}
