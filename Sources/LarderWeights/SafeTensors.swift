import Foundation
import LarderTensor

/// A safetensors file (the Hugging Face format): an 8-byte little-endian
/// header length, a JSON header mapping each tensor name to its `dtype`,
/// `shape` and `data_offsets` (plus an optional `__metadata__` object of
/// string pairs), then the raw little-endian tensor bytes.
///
/// Reading converts every tensor to fp32; writing stores fp32 or fp16.
public struct SafeTensors: Sendable {
    /// The tensors, converted to fp32, by name.
    public var tensors: [String: Tensor]
    /// Element type each tensor had in the file, by name.
    public var storedTypes: [String: SafeTensorsDataType]
    /// The `__metadata__` string pairs; empty when the file has none.
    public var metadata: [String: String]

    /// Creates an in-memory set of tensors to write.
    public init(tensors: [String: Tensor], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
        self.storedTypes = tensors.mapValues { _ in .float32 }
    }

    /// Largest header accepted, so a corrupt length field cannot trigger a huge allocation.
    public static let maximumHeaderSize = 100 * 1024 * 1024
}

/// An element type of a safetensors tensor (the header's `dtype` string).
public enum SafeTensorsDataType: String, Sendable, CaseIterable {
    case float64 = "F64", float32 = "F32", float16 = "F16", bfloat16 = "BF16"
    case int64 = "I64", int32 = "I32", int16 = "I16", int8 = "I8", uint8 = "U8", bool = "BOOL"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .float64, .int64: return 8
        case .float32, .int32: return 4
        case .float16, .bfloat16, .int16: return 2
        case .int8, .uint8, .bool: return 1
        }
    }
}

/// A safetensors file that cannot be read or written.
public enum SafeTensorsError: Error, Equatable, CustomStringConvertible {
    /// The file is shorter than its header claims; it is probably truncated.
    case truncated(expectedBytes: Int, actualBytes: Int)
    /// The 8-byte header length is zero or larger than `SafeTensors.maximumHeaderSize`.
    case invalidHeaderLength(UInt64)
    /// The header is not the expected JSON object; `reason` names the invalid part.
    case invalidHeader(reason: String)
    /// A tensor uses an element type this reader does not convert.
    case unsupportedDataType(tensor: String, dataType: String)
    /// A tensor's byte range disagrees with its shape and type, or leaves the data section.
    case invalidDataOffsets(tensor: String, offsets: [Int], expectedBytes: Int, dataBytes: Int)
    /// The file could not be read or written.
    case fileError(path: String, reason: String)

    public var description: String {
        switch self {
        case .truncated(let expected, let actual):
            return "safetensors file is truncated: its header needs \(expected) bytes but the file has \(actual)"
        case .invalidHeaderLength(let length):
            return "invalid safetensors header length \(length): expected 1...\(SafeTensors.maximumHeaderSize) bytes; the file is not safetensors or is corrupt"
        case .invalidHeader(let reason):
            return "invalid safetensors header: \(reason)"
        case .unsupportedDataType(let tensor, let dataType):
            return "tensor '\(tensor)' has unsupported dtype '\(dataType)'; supported: "
                + SafeTensorsDataType.allCases.map(\.rawValue).joined(separator: ", ")
        case .invalidDataOffsets(let tensor, let offsets, let expected, let dataBytes):
            return "tensor '\(tensor)' has data_offsets \(offsets) but its shape and dtype need \(expected) bytes within a data section of \(dataBytes) bytes"
        case .fileError(let path, let reason):
            return "cannot access safetensors file \(path): \(reason)"
        }
    }
}

// MARK: - Reading

extension SafeTensors {
    /// Reads and validates the file at `url`.
    /// - Throws: `SafeTensorsError` naming the problem.
    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw SafeTensorsError.fileError(path: url.path, reason: error.localizedDescription)
        }
        try self.init(data: data)
    }

    /// Parses and validates safetensors bytes, converting every tensor to fp32.
    /// - Throws: `SafeTensorsError` naming the problem.
    public init(data: Data) throws {
        guard data.count >= 8 else { throw SafeTensorsError.truncated(expectedBytes: 8, actualBytes: data.count) }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength > 0, headerLength <= UInt64(Self.maximumHeaderSize) else {
            throw SafeTensorsError.invalidHeaderLength(headerLength)
        }
        let dataStart = 8 + Int(headerLength)
        guard data.count >= dataStart else {
            throw SafeTensorsError.truncated(expectedBytes: dataStart, actualBytes: data.count)
        }
        let headerBytes = data.subdata(in: (data.startIndex + 8)..<(data.startIndex + dataStart))
        guard let header = (try? JSONSerialization.jsonObject(with: headerBytes)) as? [String: Any] else {
            throw SafeTensorsError.invalidHeader(reason: "the \(headerLength) header bytes are not a JSON object")
        }

        let dataBytes = data.count - dataStart
        var tensors: [String: Tensor] = [:]
        var storedTypes: [String: SafeTensorsDataType] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                guard let pairs = value as? [String: String] else {
                    throw SafeTensorsError.invalidHeader(reason: "__metadata__ must map strings to strings")
                }
                metadata = pairs
                continue
            }
            let entry = try Self.parseEntry(name: name, value: value)
            let expectedBytes = entry.shape.reduce(1, *) * entry.dataType.byteSize
            let offsets = entry.offsets
            guard offsets[0] >= 0, offsets[1] <= dataBytes, offsets[1] - offsets[0] == expectedBytes else {
                throw SafeTensorsError.invalidDataOffsets(tensor: name, offsets: offsets,
                                                          expectedBytes: expectedBytes, dataBytes: dataBytes)
            }
            let start = data.startIndex + dataStart + offsets[0]
            let scalars = Self.decode(data[start..<(start + expectedBytes)], as: entry.dataType)
            tensors[name] = Tensor(shape: entry.shape, scalars: scalars)
            storedTypes[name] = entry.dataType
        }
        self.tensors = tensors
        self.storedTypes = storedTypes
        self.metadata = metadata
    }

    private struct Entry {
        var dataType: SafeTensorsDataType
        var shape: [Int]
        var offsets: [Int]
    }

    private static func parseEntry(name: String, value: Any) throws -> Entry {
        guard let fields = value as? [String: Any],
              let typeName = fields["dtype"] as? String,
              let shape = fields["shape"] as? [Int],
              let offsets = fields["data_offsets"] as? [Int] else {
            throw SafeTensorsError.invalidHeader(reason: "tensor '\(name)' needs 'dtype' (string), 'shape' and 'data_offsets' (integer arrays)")
        }
        guard let dataType = SafeTensorsDataType(rawValue: typeName) else {
            throw SafeTensorsError.unsupportedDataType(tensor: name, dataType: typeName)
        }
        guard offsets.count == 2, offsets[0] <= offsets[1], shape.allSatisfy({ $0 >= 0 }) else {
            throw SafeTensorsError.invalidHeader(reason: "tensor '\(name)' has shape \(shape) and data_offsets \(offsets); expected non-negative sizes and [begin, end]")
        }
        // Bound the element count before multiplying so a hostile shape cannot overflow.
        guard shape.reduce(1.0, { $0 * Double($1) }) < Double(Int.max / 8) else {
            throw SafeTensorsError.invalidHeader(reason: "tensor '\(name)' has an impossible shape \(shape)")
        }
        return Entry(dataType: dataType, shape: shape, offsets: offsets)
    }

    /// Converts little-endian elements of `type` to Float.
    private static func decode(_ bytes: Data, as type: SafeTensorsDataType) -> [Float] {
        let count = bytes.count / type.byteSize
        return bytes.withUnsafeBytes { raw -> [Float] in
            switch type {
            case .float32:
                return (0..<count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
            case .float64:
                return (0..<count).map { Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self)))) }
            case .float16:
                return (0..<count).map { HalfPrecision.float(fromBits: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self))) }
            case .bfloat16:
                return (0..<count).map { Float(bitPattern: UInt32(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self))) << 16) }
            case .int64:
                return (0..<count).map { Float(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self))) }
            case .int32:
                return (0..<count).map { Float(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self))) }
            case .int16:
                return (0..<count).map { Float(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 2, as: Int16.self))) }
            case .int8:
                return (0..<count).map { Float(raw.load(fromByteOffset: $0, as: Int8.self)) }
            case .uint8, .bool:
                return (0..<count).map { Float(raw[$0]) }
            }
        }
    }
}
