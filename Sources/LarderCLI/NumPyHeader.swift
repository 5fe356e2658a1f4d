import Foundation

/// The header of a NumPy `.npy` file: the magic string `\x93NUMPY`, a version
/// byte pair, a little-endian header length (`u16` in version 1, `u32` in
/// versions 2 and 3) and a Python dict literal with `descr`, `fortran_order`
/// and `shape`, padded with spaces and ended by a newline.
struct NumPyHeader {
    let descr: String
    let fortranOrder: Bool
    let shape: [Int]
    /// Byte offset where the array data starts.
    let dataOffset: Int

    /// Reads a C-order 2-D little-endian float32 (`<f4`) array.
    /// - Throws: `VectorFileError` for another dtype, order or rank, or a size that disagrees with the shape.
    static func readMatrix(_ bytes: [UInt8], path: String) throws -> VectorFile {
        let header = try parse(bytes, path: path)
        guard header.descr == "<f4" else {
            throw VectorFileError.invalid(path: path, reason: "the array dtype is '\(header.descr)' but import needs "
                                          + "little-endian float32 ('<f4'); save it with array.astype('<f4')")
        }
        guard !header.fortranOrder else {
            throw VectorFileError.invalid(path: path, reason: "the array is in Fortran order; save it with "
                                          + "numpy.ascontiguousarray(array)")
        }
        guard header.shape.count == 2 else {
            throw VectorFileError.invalid(path: path, reason: "the array has shape \(header.shape) but import needs "
                                          + "two dimensions (rows, components)")
        }
        let (rows, dimension) = (header.shape[0], header.shape[1])
        guard dimension > 0 else { throw VectorFileError.invalid(path: path, reason: "the array has 0 columns") }
        let expected = header.dataOffset + 4 * rows * dimension
        guard bytes.count == expected else {
            throw VectorFileError.invalid(path: path, reason: "shape \(header.shape) needs \(expected) bytes, "
                                          + "but the file has \(bytes.count)")
        }
        return VectorFile(rows: rows, dimension: dimension,
                          values: VectorFile.floats(bytes, from: header.dataOffset, count: rows * dimension))
    }

    /// Parses the magic string, version, length and dict literal.
    static func parse(_ bytes: [UInt8], path: String) throws -> NumPyHeader {
        let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
            throw VectorFileError.invalid(path: path, reason: "it does not start with the .npy magic string; "
                                          + "pass --format for other layouts")
        }
        let major = bytes[6]
        let lengthBytes = major == 1 ? 2 : 4
        guard (1...3).contains(major), bytes.count >= 8 + lengthBytes else {
            throw VectorFileError.invalid(path: path, reason: ".npy format version \(major) is not supported (1 to 3 are)")
        }
        var length = 0
        for position in 0..<lengthBytes { length |= Int(bytes[8 + position]) << (8 * position) }
        let start = 8 + lengthBytes
        guard bytes.count >= start + length else {
            throw VectorFileError.invalid(path: path, reason: "the header length \(length) runs past the end of the file")
        }
        let text = String(decoding: bytes[start..<start + length], as: UTF8.self)
        guard let descr = quotedValue(of: "descr", in: text),
              let order = bareValue(of: "fortran_order", in: text),
              let shapeText = bareValue(of: "shape", in: text) else {
            throw VectorFileError.invalid(path: path, reason: "the header '\(text.prefix(120))' lacks descr, "
                                          + "fortran_order or shape")
        }
        let shape = shapeText.split(whereSeparator: { "(), ".contains($0) }).compactMap { Int($0) }
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw VectorFileError.invalid(path: path, reason: "the shape \(shapeText) is invalid")
        }
        return NumPyHeader(descr: descr, fortranOrder: order == "True", shape: shape, dataOffset: start + length)
    }

    /// Returns the string after `'key':`, without its quotes.
    private static func quotedValue(of key: String, in text: String) -> String? {
        guard let value = bareValue(of: key, in: text), value.count >= 2,
              let quote = value.first, quote == "'" || quote == "\"" else { return nil }
        return String(value.dropFirst().prefix { $0 != quote })
    }

    /// Returns the text after `'key':` up to the next top-level comma or closing brace,
    /// which keeps a parenthesized tuple whole.
    private static func bareValue(of key: String, in text: String) -> String? {
        guard let range = text.range(of: "'\(key)':") else { return nil }
        var depth = 0
        var value = ""
        for character in text[range.upperBound...] {
            if character == "(" { depth += 1 }
            if character == ")" { depth -= 1 }
            if depth == 0, character == "," || character == "}" { break }
            value.append(character)
        }
        return value.trimmingCharacters(in: .whitespaces)
    }
}
