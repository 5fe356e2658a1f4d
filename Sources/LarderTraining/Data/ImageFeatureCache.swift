import Foundation

/// Computes the frozen image backbone's feature vector for one photo file.
/// The trainer only trains the image projection on top of these features.
public protocol ImageFeatureExtractor {
    /// Identifies the backbone and its preprocessing; part of every cache key,
    /// so features of different backbones never mix.
    var identifier: String { get }
    /// Width of the feature vectors.
    var featureSize: Int { get }
    /// Features of the photos at `urls`, in order, computed as one batch.
    func features(of urls: [URL]) throws -> [[Float]]
}

/// An on-disk cache of backbone features keyed by the photo's content, so
/// each photo goes through the backbone once, however often it is trained
/// on, and a renamed copy is not computed twice.
///
/// Each entry is a file `DIRECTORY/<key>.f32` of little-endian fp32 values;
/// the key is a 64-bit FNV-1a hash of the extractor's identifier and the
/// file's bytes, printed in hex, plus the byte count.
public final class ImageFeatureCache {
    /// Folder of the cache files.
    public let directory: URL
    /// The backbone that fills the cache on a miss.
    public let extractor: any ImageFeatureExtractor
    /// Photos computed per backbone call on a miss.
    public var batchSize: Int

    /// Opens (creating when missing) a cache folder.
    public init(directory: URL, extractor: any ImageFeatureExtractor, batchSize: Int = 16) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.directory = directory
        self.extractor = extractor
        self.batchSize = max(batchSize, 1)
    }

    /// Features of every photo, from the cache where present, otherwise
    /// computed in batches and stored.
    /// - Throws: `DataError.unreadable` for a missing photo, or the extractor's error.
    public func features(of urls: [URL]) throws -> [[Float]] {
        var result = [[Float]?](repeating: nil, count: urls.count)
        var missing: [(index: Int, url: URL, entry: URL)] = []
        for (index, url) in urls.enumerated() {
            let entry = try entryURL(for: url)
            if let data = try? Data(contentsOf: entry), data.count == extractor.featureSize * 4 {
                result[index] = Self.decode(data)
            } else {
                missing.append((index, url, entry))
            }
        }
        for start in stride(from: 0, to: missing.count, by: batchSize) {
            let batch = missing[start..<min(start + batchSize, missing.count)]
            let computed = try extractor.features(of: batch.map(\.url))
            for (item, vector) in zip(batch, computed) {
                precondition(vector.count == extractor.featureSize,
                             "extractor \(extractor.identifier) returned \(vector.count) features, declared \(extractor.featureSize)")
                try Self.encode(vector).write(to: item.entry, options: .atomic)
                result[item.index] = vector
            }
        }
        return result.map { $0! }
    }

    private func entryURL(for url: URL) throws -> URL {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw DataError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in Array(extractor.identifier.utf8) + [0] {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        data.withUnsafeBytes { bytes in
            for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        }
        let name = String(hash, radix: 16) + "-" + String(data.count) + ".f32"
        return directory.appendingPathComponent(name)
    }

    static func encode(_ vector: [Float]) -> Data {
        var data = Data(capacity: vector.count * 4)
        for value in vector {
            withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) }
        }
        return data
    }

    static func decode(_ data: Data) -> [Float] {
        data.withUnsafeBytes { bytes in
            (0..<(data.count / 4)).map { index in
                Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)))
            }
        }
    }
}
