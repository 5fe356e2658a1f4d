import Foundation
import LarderTensor

/// Named fp32 tensors plus string metadata in the safetensors layout
/// (Hugging Face): an 8-byte little-endian header length, a JSON header
/// mapping each name to `dtype`, `shape` and `data_offsets` (with string
/// metadata under `__metadata__`), then the raw little-endian data.
///
/// Training checkpoints use it; it reads only the F32 tensors it writes.
public struct SafetensorsArchive: Sendable, Equatable {
    /// Tensors by name.
    public var tensors: [String: Tensor]
    /// Free-form string metadata.
    public var metadata: [String: String]

    /// Creates an archive.
    public init(tensors: [String: Tensor], metadata: [String: String]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// Writes the archive atomically, tensors in name order.
    public func write(to url: URL) throws {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        let names = tensors.keys.sorted()
        for name in names {
            let tensor = tensors[name]!
            header[name] = ["dtype": "F32", "shape": tensor.shape, "data_offsets": [offset, offset + tensor.count * 4]]
            offset += tensor.count * 4
        }
        var headerData = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // Pad the header with spaces so the data starts 8-byte aligned, as the format recommends.
        while (8 + headerData.count) % 8 != 0 { headerData.append(UInt8(ascii: " ")) }
        var output = Data(capacity: 8 + headerData.count + offset)
        withUnsafeBytes(of: UInt64(headerData.count).littleEndian) { output.append(contentsOf: $0) }
        output.append(headerData)
        for name in names {
            tensors[name]!.scalars.withUnsafeBufferPointer { buffer in
                // fp32 is stored little-endian, the byte order of every platform Larder builds for.
                output.append(UnsafeBufferPointer(start: UnsafeRawPointer(buffer.baseAddress!)
                    .assumingMemoryBound(to: UInt8.self), count: buffer.count * 4))
            }
        }
        try output.write(to: url, options: .atomic)
    }

    /// Reads an archive written by `write(to:)` (or any safetensors file of F32 tensors).
    /// - Throws: `DataError` naming the file and what is wrong with it.
    public static func read(from url: URL) throws -> SafetensorsArchive {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw DataError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        func invalid(_ reason: String) -> DataError {
            .invalidRecord(path: url.path, line: 1, reason: reason)
        }
        guard data.count >= 8 else { throw invalid("file of \(data.count) bytes is too short for a safetensors header") }
        let headerLength = data.withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        guard headerLength > 0, 8 + headerLength <= data.count else {
            throw invalid("header length \(headerLength) does not fit in \(data.count) bytes")
        }
        let headerData = data.subdata(in: 8..<(8 + headerLength))
        guard let header = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any] else {
            throw invalid("header is not a JSON object")
        }
        let payload = data.subdata(in: (8 + headerLength)..<data.count)
        var tensors: [String: Tensor] = [:]
        var metadata: [String: String] = [:]
        for (name, entry) in header {
            if name == "__metadata__" {
                metadata = entry as? [String: String] ?? [:]
                continue
            }
            guard let fields = entry as? [String: Any], let dtype = fields["dtype"] as? String,
                  let shape = fields["shape"] as? [Int], let offsets = fields["data_offsets"] as? [Int],
                  offsets.count == 2 else {
                throw invalid("tensor \(name) has no valid dtype, shape and data_offsets")
            }
            guard dtype == "F32" else { throw invalid("tensor \(name) is \(dtype); only F32 is read here") }
            let count = shape.reduce(1, *)
            guard offsets[0] >= 0, offsets[1] == offsets[0] + count * 4, offsets[1] <= payload.count else {
                throw invalid("tensor \(name) offsets \(offsets) do not match shape \(shape) in \(payload.count) data bytes")
            }
            let scalars = payload.withUnsafeBytes { bytes in
                (0..<count).map { index in
                    Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offsets[0] + index * 4,
                                                                               as: UInt32.self)))
                }
            }
            tensors[name] = Tensor(shape: shape, scalars: scalars)
        }
        return SafetensorsArchive(tensors: tensors, metadata: metadata)
    }
}
