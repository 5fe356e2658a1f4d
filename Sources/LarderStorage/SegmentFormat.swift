import LarderHNSW
import LarderVector

/// Constants and fixed-size structures of a segment file. The byte-by-byte
/// layout is in docs/storage-format.md; in short: a 64-byte header with its own
/// CRC32C, a sequence of blocks (each with a 24-byte block header, a payload and
/// a CRC32C), a block index and a 24-byte trailer that locates the index.
enum SegmentFormat {
    static let magic: [UInt8] = Array("LARDSEG".utf8) + [0]
    static let trailerMagic: [UInt8] = Array("LARDEND".utf8) + [0]
    static let version: UInt32 = 1
    static let headerSize = 64
    static let blockHeaderSize = 24
    static let indexEntrySize = 20
    static let trailerSize = 24

    /// What a block contains.
    enum BlockKind: UInt32, CaseIterable {
        /// Element ids: per element a varint byte count and UTF-8 bytes.
        case ids = 1
        /// Vectors: byte-shuffled fp32, or per-vector fp32 scales then int8 codes.
        case vectors = 2
        /// Byte-shuffled fp32 norm of each vector as given.
        case norms = 3
        /// Top layer of each node as a varint.
        case levels = 4
        /// Adjacency lists, per node and layer: varint count, then sorted neighbour numbers delta-coded as varints.
        case graph = 5
        /// Attributes: per element a varint of byte count plus one (0 for none) and the JSON bytes.
        case attributes = 6
    }

    /// How a block's payload is stored.
    enum Codec: UInt8 {
        case raw = 0
        case lz4 = 1
    }

    /// How the vectors block encodes components (header byte 29).
    enum VectorEncoding: UInt8 {
        case float32 = 0
        case int8 = 1
    }

    static func metricCode(_ metric: DistanceMetric) -> UInt8 {
        switch metric {
        case .cosine: return 0
        case .innerProduct: return 1
        case .l2: return 2
        }
    }

    static func metric(code: UInt8) -> DistanceMetric? {
        switch code {
        case 0: return .cosine
        case 1: return .innerProduct
        case 2: return .l2
        default: return nil
        }
    }
}

/// The segment's fixed 64-byte header.
struct SegmentHeader: Equatable {
    var elementCount: Int
    var dimension: Int
    var metric: DistanceMetric
    var vectorEncoding: SegmentFormat.VectorEncoding
    var m: Int
    var efConstruction: Int
    var seed: UInt64
    var entryPoint: Int?
    var maxLevel: Int
    var blockCount: Int

    func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: SegmentFormat.headerSize)
        writer.append(contentsOf: SegmentFormat.magic)
        writer.append(SegmentFormat.version)
        writer.append(UInt32(SegmentFormat.headerSize))
        writer.append(UInt64(elementCount))
        writer.append(UInt32(dimension))
        writer.append(SegmentFormat.metricCode(metric))
        writer.append(vectorEncoding.rawValue)
        writer.append(UInt16(m))
        writer.append(UInt32(efConstruction))
        writer.append(seed)
        writer.append(entryPoint.map { UInt64($0) } ?? UInt64.max)
        writer.append(UInt32(bitPattern: Int32(maxLevel)))
        writer.append(UInt32(blockCount))
        writer.append(CRC32C.checksum(writer.bytes))
        return writer.bytes
    }

    static func decode(_ bytes: [UInt8], file: String) throws -> SegmentHeader {
        guard bytes.count >= SegmentFormat.headerSize else {
            throw StorageError.corrupt(file: file, offset: bytes.count, reason: "segment header is truncated")
        }
        guard Array(bytes[0..<8]) == SegmentFormat.magic else {
            throw StorageError.corrupt(file: file, offset: 0, reason: "not a Larder segment (bad magic number)")
        }
        var reader = ByteReader(bytes, file: file, range: 8..<SegmentFormat.headerSize)
        let version = try reader.readUInt32("format version")
        let headerSize = try reader.readUInt32("header size")
        let elementCount = try reader.readUInt64("element count")
        let dimension = try reader.readUInt32("dimension")
        let metricCode = try reader.readUInt8("metric")
        let encodingCode = try reader.readUInt8("vector encoding")
        let m = try reader.readUInt16("m")
        let efConstruction = try reader.readUInt32("efConstruction")
        let seed = try reader.readUInt64("seed")
        let entryPoint = try reader.readUInt64("entry point")
        let maxLevel = Int32(bitPattern: try reader.readUInt32("max level"))
        let blockCount = try reader.readUInt32("block count")
        let stored = try reader.readUInt32("header checksum")
        guard stored == CRC32C.checksum(bytes, range: 0..<60) else {
            throw StorageError.corrupt(file: file, offset: 60, reason: "segment header checksum mismatch")
        }
        guard version == SegmentFormat.version else {
            throw StorageError.unsupportedVersion(file: file, found: version, supported: SegmentFormat.version)
        }
        guard headerSize == SegmentFormat.headerSize else {
            throw StorageError.corrupt(file: file, offset: 12, reason: "header size is \(headerSize), expected \(SegmentFormat.headerSize)")
        }
        guard let metric = SegmentFormat.metric(code: metricCode) else {
            throw StorageError.corrupt(file: file, offset: 28, reason: "unknown metric code \(metricCode)")
        }
        guard let encoding = SegmentFormat.VectorEncoding(rawValue: encodingCode) else {
            throw StorageError.corrupt(file: file, offset: 29, reason: "unknown vector encoding \(encodingCode)")
        }
        guard elementCount <= UInt64(UInt32.max), dimension >= 1, dimension <= UInt32(StorageLimits.maxDimension) else {
            throw StorageError.corrupt(file: file, offset: 16, reason: "element count \(elementCount) or dimension \(dimension) out of range")
        }
        let entry: Int? = entryPoint == UInt64.max ? nil : Int(clamping: entryPoint)
        if let entry, entry >= Int(elementCount) {
            throw StorageError.corrupt(file: file, offset: 44, reason: "entry point \(entry) is not below the element count \(elementCount)")
        }
        return SegmentHeader(elementCount: Int(elementCount), dimension: Int(dimension), metric: metric,
                             vectorEncoding: encoding, m: Int(m), efConstruction: Int(efConstruction), seed: seed,
                             entryPoint: entry, maxLevel: Int(maxLevel), blockCount: Int(blockCount))
    }
}

/// One entry of the block index in the footer.
struct SegmentBlockLocation: Equatable {
    var kind: SegmentFormat.BlockKind
    /// File offset of the block header.
    var offset: Int
    /// Block header, payload and checksum together.
    var length: Int
}
