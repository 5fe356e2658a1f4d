import Foundation
import LarderTensor

// MARK: - Writing

extension SafeTensors {
    /// Encodes the tensors (sorted by name, so output is deterministic) and
    /// `metadata` as safetensors bytes, storing elements as `dataType`.
    /// - Precondition: `dataType` is `.float32` or `.float16`.
    public func encoded(as dataType: SafeTensorsDataType = .float32) -> Data {
        precondition(dataType == .float32 || dataType == .float16,
                     "safetensors writer stores F32 or F16, not \(dataType.rawValue)")
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        let names = tensors.keys.sorted()
        var offset = 0
        for name in names {
            let tensor = tensors[name]!
            let length = tensor.count * dataType.byteSize
            header[name] = ["dtype": dataType.rawValue, "shape": tensor.shape, "data_offsets": [offset, offset + length]]
            offset += length
        }
        var headerBytes = (try? JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])) ?? Data("{}".utf8)
        // Pad with spaces so the tensor data starts 8-byte aligned, as the reference writer does.
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }

        var output = Data(capacity: 8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { output.append(contentsOf: $0) }
        output.append(headerBytes)
        for name in names {
            let scalars = tensors[name]!.scalars
            switch dataType {
            case .float16:
                let bits = scalars.map { HalfPrecision.bits(from: $0).littleEndian }
                bits.withUnsafeBytes { output.append(contentsOf: $0) }
            default:
                let bits = scalars.map { $0.bitPattern.littleEndian }
                bits.withUnsafeBytes { output.append(contentsOf: $0) }
            }
        }
        return output
    }

    /// Writes the tensors and metadata to `url` atomically.
    /// - Throws: `SafeTensorsError.fileError` when the file cannot be written.
    public func write(to url: URL, as dataType: SafeTensorsDataType = .float32) throws {
        do {
            try encoded(as: dataType).write(to: url, options: .atomic)
        } catch {
            throw SafeTensorsError.fileError(path: url.path, reason: error.localizedDescription)
        }
    }
}

// MARK: - IEEE 754 half precision

/// Conversions between Float and IEEE 754 binary16 bit patterns, written out
/// so they behave the same on every platform (Swift's `Float16` is missing on
/// some targets).
enum HalfPrecision {
    /// Returns the Float value of binary16 `bits`, including subnormals, infinities and NaN.
    static func float(fromBits bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = Int(bits >> 10) & 0x1F
        let mantissa = UInt32(bits & 0x03FF)
        switch exponent {
        case 0:
            // Zero or subnormal: mantissa × 2^-24.
            let magnitude = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign != 0 ? -magnitude : magnitude
        case 0x1F:
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        default:
            return Float(bitPattern: sign | UInt32(exponent + 112) << 23 | (mantissa << 13))
        }
    }

    /// Returns the binary16 bits nearest to `value` (round to nearest, ties to
    /// even); values beyond the half range become infinity.
    static func bits(from value: Float) -> UInt16 {
        let pattern = value.bitPattern
        let sign = UInt16((pattern >> 16) & 0x8000)
        if value.isNaN { return sign | 0x7E00 }
        let magnitude = Swift.abs(value)
        if magnitude >= 65520 { return sign | 0x7C00 }  // 65520 and above round to infinity
        if magnitude < Float(sign: .plus, exponent: -14, significand: 1) {
            // Subnormal half: round magnitude / 2^-24 to the nearest integer, ties to even.
            let scaled = (magnitude * Float(sign: .plus, exponent: 24, significand: 1)).rounded(.toNearestOrEven)
            return sign | UInt16(scaled)
        }
        let exponent = Int((pattern >> 23) & 0xFF) - 127 + 15
        var mantissa = pattern & 0x007F_FFFF
        var halfExponent = UInt32(exponent)
        // Keep 10 of the 23 mantissa bits, rounding the 13 dropped bits to nearest even.
        let dropped = mantissa & 0x1FFF
        mantissa >>= 13
        if dropped > 0x1000 || (dropped == 0x1000 && mantissa & 1 == 1) {
            mantissa += 1
            if mantissa == 0x400 {
                mantissa = 0
                halfExponent += 1
            }
        }
        return sign | UInt16(halfExponent << 10) | UInt16(mantissa)
    }
}
