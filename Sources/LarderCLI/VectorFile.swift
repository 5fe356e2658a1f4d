import Foundation

/// A matrix of float32 vectors read from a file, one row per vector.
///
/// Formats, all little-endian:
/// - `fbin` (big-ann-benchmarks): `u32` rows, `u32` dimension, then rows x dimension float32.
/// - `fvecs` (the TEXMEX corpus layout): per row an `i32` dimension, then that many float32.
/// - `npy`: a NumPy version 1, 2 or 3 file holding a C-order 2-D `<f4` array.
/// - `raw`: float32 values only; the dimension is given by the caller.
struct VectorFile {
    /// File formats `read(_:format:dimension:)` accepts.
    enum Format: String, CaseIterable {
        case fbin, fvecs, npy, raw

        /// The format named by the file extension (`.fbin`, `.fvecs`, `.npy`, `.f32` or `.raw`), if any.
        init?(pathExtension: String) {
            switch pathExtension.lowercased() {
            case "fbin": self = .fbin
            case "fvecs": self = .fvecs
            case "npy": self = .npy
            case "f32", "raw": self = .raw
            default: return nil
            }
        }
    }

    let rows: Int
    let dimension: Int
    /// Row-major components, `rows * dimension` of them.
    let values: [Float]

    /// Returns row `index` as a new array.
    func row(_ index: Int) -> [Float] {
        Array(values[index * dimension..<(index + 1) * dimension])
    }

    /// Reads a whole file.
    ///
    /// - Parameter dimension: required for `raw`; for the other formats, when
    ///   given, the file's dimension must match it.
    /// - Throws: `VectorFileError` naming the file and what is wrong with it.
    static func read(_ url: URL, format: Format, dimension: Int? = nil) throws -> VectorFile {
        let bytes = try contents(of: url)
        let path = url.path
        let parsed: VectorFile
        switch format {
        case .fbin:
            parsed = try readFbin(bytes, path: path)
        case .fvecs:
            parsed = try readFvecs(bytes, path: path)
        case .npy:
            parsed = try NumPyHeader.readMatrix(bytes, path: path)
        case .raw:
            guard let dimension else {
                throw VectorFileError.invalid(path: path, reason: "raw float32 files carry no dimension; pass --dimension")
            }
            guard dimension > 0, bytes.count % (4 * dimension) == 0 else {
                throw VectorFileError.invalid(path: path, reason: "\(bytes.count) bytes is not a whole number of "
                                              + "\(dimension)-dimensional float32 rows (\(4 * dimension) bytes each)")
            }
            parsed = VectorFile(rows: bytes.count / (4 * dimension), dimension: dimension,
                                values: floats(bytes, from: 0, count: bytes.count / 4))
        }
        if let dimension, parsed.dimension != dimension {
            throw VectorFileError.invalid(path: path, reason: "rows have \(parsed.dimension) components but "
                                          + "--dimension is \(dimension); drop --dimension or fix the file")
        }
        guard parsed.rows > 0 else { throw VectorFileError.invalid(path: path, reason: "the file contains no vectors") }
        return parsed
    }

    /// Reads a `.ibin` file of int32 rows (`u32` rows, `u32` columns, then the values), such as exact neighbour ids.
    static func readNeighborIDs(_ url: URL) throws -> (rows: Int, columns: Int, values: [Int32]) {
        let bytes = try contents(of: url)
        let (rows, columns) = try matrixHeader(bytes, path: url.path)
        let values = bytes.withUnsafeBytes { raw in
            (0..<rows * columns).map { Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 8 + 4 * $0, as: Int32.self)) }
        }
        return (rows, columns, values)
    }

    // MARK: - Formats

    private static func contents(of url: URL) throws -> [UInt8] {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw VectorFileError.invalid(path: url.path, reason: "no such file")
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw VectorFileError.invalid(path: url.path, reason: "the file is not readable")
        }
        return [UInt8](data)
    }

    /// Reads and checks the two `u32` counts that start `.fbin` and `.ibin` files.
    private static func matrixHeader(_ bytes: [UInt8], path: String) throws -> (rows: Int, columns: Int) {
        guard bytes.count >= 8 else {
            throw VectorFileError.invalid(path: path, reason: "\(bytes.count) bytes is shorter than the 8-byte header")
        }
        let rows = Int(UInt32(littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 0, as: UInt32.self) }))
        let columns = Int(UInt32(littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 4, as: UInt32.self) }))
        guard columns > 0 else { throw VectorFileError.invalid(path: path, reason: "the header gives 0 columns") }
        let expected = 8 + 4 * rows * columns
        guard bytes.count == expected else {
            throw VectorFileError.invalid(path: path, reason: "the header gives \(rows) rows x \(columns) columns, "
                                          + "which needs \(expected) bytes, but the file has \(bytes.count)")
        }
        return (rows, columns)
    }

    private static func readFbin(_ bytes: [UInt8], path: String) throws -> VectorFile {
        let (rows, dimension) = try matrixHeader(bytes, path: path)
        return VectorFile(rows: rows, dimension: dimension, values: floats(bytes, from: 8, count: rows * dimension))
    }

    private static func readFvecs(_ bytes: [UInt8], path: String) throws -> VectorFile {
        guard bytes.count >= 4 else { throw VectorFileError.invalid(path: path, reason: "the file contains no vectors") }
        let dimension = Int(Int32(littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(as: Int32.self) }))
        guard dimension > 0 else {
            throw VectorFileError.invalid(path: path, reason: "row 0 gives dimension \(dimension); it must be positive")
        }
        let rowBytes = 4 + 4 * dimension
        guard bytes.count % rowBytes == 0 else {
            throw VectorFileError.invalid(path: path, reason: "\(bytes.count) bytes is not a whole number of rows of "
                                          + "\(rowBytes) bytes (dimension \(dimension)); the file is truncated or not fvecs")
        }
        let rows = bytes.count / rowBytes
        var values: [Float] = []
        values.reserveCapacity(rows * dimension)
        for row in 0..<rows {
            let offset = row * rowBytes
            let rowDimension = Int(Int32(littleEndian: bytes.withUnsafeBytes {
                $0.loadUnaligned(fromByteOffset: offset, as: Int32.self)
            }))
            guard rowDimension == dimension else {
                throw VectorFileError.invalid(path: path, reason: "row \(row) gives dimension \(rowDimension) "
                                              + "but row 0 gives \(dimension); every row must have the same dimension")
            }
            values += floats(bytes, from: offset + 4, count: dimension)
        }
        return VectorFile(rows: rows, dimension: dimension, values: values)
    }

    /// Decodes `count` little-endian float32 values starting at byte `offset`.
    static func floats(_ bytes: [UInt8], from offset: Int, count: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            bytes.withUnsafeBytes { raw in
                for index in 0..<count {
                    let bits = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 4 * index, as: UInt32.self))
                    buffer[index] = Float(bitPattern: bits)
                }
            }
            initialized = count
        }
    }
}

/// A vector file that cannot be used.
enum VectorFileError: Error, CustomStringConvertible {
    case invalid(path: String, reason: String)

    var description: String {
        switch self {
        case let .invalid(path, reason): return "cannot read vectors from '\(path)': \(reason)"
        }
    }
}
