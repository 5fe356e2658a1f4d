import LarderTensor

/// Element type of a PyTorch storage, named by its legacy storage class
/// (`torch.FloatStorage`, `torch.HalfStorage`, ...).
public enum TorchDType: String, Sendable, CaseIterable {
    case float32 = "FloatStorage"
    case float16 = "HalfStorage"
    case bfloat16 = "BFloat16Storage"
    case float64 = "DoubleStorage"
    case int64 = "LongStorage"
    case int32 = "IntStorage"
    case int16 = "ShortStorage"
    case int8 = "CharStorage"
    case uint8 = "ByteStorage"
    case bool = "BoolStorage"

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .float64, .int64: return 8
        case .float32, .int32: return 4
        case .float16, .bfloat16, .int16: return 2
        case .int8, .uint8, .bool: return 1
        }
    }

    /// Creates the type for a storage class such as `torch.FloatStorage`.
    init(storageClass: PickleValue) throws {
        guard case .global(let module, let name) = storageClass, module == "torch",
              let dtype = TorchDType(rawValue: name) else {
            throw TorchCheckpointError.unsupportedStorage(storageClass.kindName)
        }
        self = dtype
    }

    /// Converts `count` little-endian elements starting at `bytes[offset]` to `Float`.
    func decode(_ bytes: UnsafeRawBufferPointer, count: Int) -> [Float] {
        switch self {
        case .float32:
            return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                let raw = UnsafeMutableRawBufferPointer(buffer)
                raw.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[0..<(count * 4)]))
                initialized = count
            }
        case .float16:
            return (0..<count).map { Self.halfToFloat(bytes.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)) }
        case .bfloat16:
            return (0..<count).map {
                Float(bitPattern: UInt32(bytes.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)) << 16)
            }
        case .float64:
            return (0..<count).map { Float(bytes.loadUnaligned(fromByteOffset: 8 * $0, as: Double.self)) }
        case .int64:
            return (0..<count).map { Float(bytes.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self)) }
        case .int32:
            return (0..<count).map { Float(bytes.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self)) }
        case .int16:
            return (0..<count).map { Float(bytes.loadUnaligned(fromByteOffset: 2 * $0, as: Int16.self)) }
        case .int8:
            return (0..<count).map { Float(Int8(bitPattern: bytes[$0])) }
        case .uint8, .bool:
            return (0..<count).map { Float(bytes[$0]) }
        }
    }

    /// Converts IEEE 754 binary16 bits to `Float`, subnormals and infinities included.
    static func halfToFloat(_ bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = Int((bits >> 10) & 0x1F)
        let mantissa = UInt32(bits & 0x3FF)
        switch exponent {
        case 0:
            // Zero or subnormal: mantissa * 2^-24.
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 0x1F:
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        default:
            return Float(bitPattern: sign | (UInt32(exponent + 112) << 23) | (mantissa << 13))
        }
    }
}

/// A storage named in a checkpoint's pickle by its persistent id; its bytes
/// live elsewhere in the file (a zip entry, or after the pickles in the
/// legacy format).
public struct TorchStorageReference: Sendable {
    /// The storage's key (`data/<key>` in a zip checkpoint).
    public let key: String
    /// Element type.
    public let dtype: TorchDType
    /// Number of elements.
    public let count: Int

    /// Parses `('storage', storage_class, key, location, count[, view_metadata])`.
    init(persistentID: PickleValue) throws {
        guard let fields = persistentID.sequenceValue, fields.count >= 5, fields[0].stringValue == "storage" else {
            throw TorchCheckpointError.invalidPersistentID(persistentID.kindName)
        }
        dtype = try TorchDType(storageClass: fields[1])
        guard let key = fields[2].stringValue else { throw TorchCheckpointError.invalidPersistentID("key \(fields[2].kindName)") }
        guard let count = fields[4].intValue, count >= 0, count <= 1 << 40 else {
            throw TorchCheckpointError.invalidPersistentID("element count \(fields[4].kindName)")
        }
        if fields.count > 5, case .none = fields[5] {} else if fields.count > 5 {
            // Storage views were dropped from `torch.save` in PyTorch 0.4.
            throw TorchCheckpointError.unsupportedStorage("storage view of \(key)")
        }
        self.key = key
        self.count = count
    }
}

/// A tensor in a checkpoint: a strided view of a storage, as built by
/// `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)`.
public struct TorchTensorReference: Sendable {
    /// The storage holding the elements.
    public let storage: TorchStorageReference
    /// First element's index in the storage.
    public let offset: Int
    /// Size of each dimension.
    public let shape: [Int]
    /// Step in storage elements for each dimension.
    public let strides: [Int]

    init(arguments: [PickleValue]) throws {
        guard arguments.count >= 4, case .storage(let storage) = arguments[0],
              let offset = arguments[1].intValue,
              let shape = arguments[2].sequenceValue?.compactMap(\.intValue),
              let strides = arguments[3].sequenceValue?.compactMap(\.intValue),
              shape.count == strides.count, shape.count == arguments[2].sequenceValue?.count else {
            throw TorchCheckpointError.invalidTensor(arguments.map(\.kindName).joined(separator: ", "))
        }
        guard shape.count <= 16, offset >= 0, shape.allSatisfy({ $0 >= 0 }), strides.allSatisfy({ $0 >= 0 }) else {
            throw TorchCheckpointError.invalidTensor("offset \(offset), shape \(shape), strides \(strides)")
        }
        if !shape.contains(0) {
            // Bounding each value by the storage size keeps the products below from overflowing.
            let limit = storage.count
            guard offset < limit, shape.allSatisfy({ $0 <= limit }), strides.allSatisfy({ $0 <= limit }) else {
                throw TorchCheckpointError.invalidTensor(
                    "shape \(shape) with strides \(strides) at offset \(offset) is outside its storage of \(limit) elements")
            }
            var lastIndex = offset
            var elementCount = 1
            for (size, step) in zip(shape, strides) {
                let (reach, overflow) = (size - 1).multipliedReportingOverflow(by: step)
                lastIndex = overflow ? Int.max : min(lastIndex + reach, Int.max / 2)
                elementCount = min(elementCount * size, Int.max / (limit + 1))
            }
            guard lastIndex < limit, elementCount <= limit else {
                throw TorchCheckpointError.invalidTensor(
                    "shape \(shape) with strides \(strides) at offset \(offset) reaches past its storage of \(limit) elements")
            }
        }
        self.storage = storage
        self.offset = offset
        self.shape = shape
        self.strides = strides
    }

    /// Copies the view out of the storage's elements into a contiguous tensor.
    func materialize(from elements: [Float]) -> Tensor {
        let count = shape.reduce(1, *)
        if count == 0 { return Tensor(shape: shape, scalars: []) }
        let contiguous = Self.contiguousStrides(shape)
        if strides == contiguous || count <= 1 {
            return Tensor(shape: shape, scalars: Array(elements[offset..<(offset + count)]))
        }
        var scalars = [Float](repeating: 0, count: count)
        for linear in 0..<count {
            var remainder = linear
            var source = offset
            for dimension in 0..<shape.count {
                let index = remainder / contiguous[dimension]
                remainder %= contiguous[dimension]
                source += index * strides[dimension]
            }
            scalars[linear] = elements[source]
        }
        return Tensor(shape: shape, scalars: scalars)
    }

    static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        for dimension in stride(from: shape.count - 2, through: 0, by: -1) {
            strides[dimension] = strides[dimension + 1] * shape[dimension + 1]
        }
        return strides
    }
}
