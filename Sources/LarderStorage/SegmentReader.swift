import LarderHNSW
import LarderVector

/// The decoded contents of a segment file.
struct SegmentContents {
    var header: SegmentHeader
    var snapshot: HNSWGraphSnapshot
    /// Attributes parallel to `snapshot.ids`.
    var attributes: [String?]
    /// Where each block sits in the file, in file order.
    var blocks: [SegmentBlockLocation]
    var fileSize: Int
}

/// Reads and verifies segment files. Every check that fails raises
/// `StorageError.corrupt` naming the file and the byte offset of the damaged
/// structure; an unknown format version raises `StorageError.unsupportedVersion`.
enum SegmentReader {
    /// Reads the whole segment at `path`, verifying the header, the footer and
    /// the CRC32C of every block.
    static func read(path: String, efSearch: Int = 100) throws -> SegmentContents {
        let file = try FileDescriptor.openForReading(path)
        defer { file.close() }
        let fileSize = try file.size()
        let minimumSize = SegmentFormat.headerSize + SegmentFormat.trailerSize
        guard fileSize >= minimumSize else {
            throw StorageError.corrupt(file: path, offset: fileSize,
                                       reason: "segment is \(fileSize) bytes, shorter than the \(minimumSize)-byte header and trailer")
        }
        let header = try SegmentHeader.decode(try file.read(count: SegmentFormat.headerSize, at: 0), file: path)
        let blocks = try readBlockIndex(file, fileSize: fileSize, header: header)

        var payloads: [SegmentFormat.BlockKind: (bytes: [UInt8], offset: Int)] = [:]
        for location in blocks {
            payloads[location.kind] = (try readBlock(file, location: location), location.offset)
        }
        func reader(_ kind: SegmentFormat.BlockKind) throws -> ByteReader {
            guard let payload = payloads[kind] else {
                throw StorageError.corrupt(file: path, offset: fileSize - SegmentFormat.trailerSize,
                                           reason: "block index has no \(kind) block")
            }
            return ByteReader(payload.bytes, file: path, baseOffset: payload.offset + SegmentFormat.blockHeaderSize)
        }

        let count = header.elementCount
        let dimension = header.dimension
        var ids = try reader(.ids)
        var vectors = try reader(.vectors)
        var norms = try reader(.norms)
        var levels = try reader(.levels)
        var graph = try reader(.graph)
        var attributes = try reader(.attributes)
        let configuration = HNSWConfiguration(dimension: dimension, metric: header.metric, m: max(header.m, 2),
                                              efConstruction: max(header.efConstruction, 1),
                                              quantization: header.vectorEncoding == .int8 ? .int8 : .none,
                                              seed: header.seed, efSearch: efSearch)
        let levelValues = try decodeFully(&levels) { try SegmentBlocks.decodeLevels(&$0, count: count) }
        let snapshot = HNSWGraphSnapshot(
            configuration: configuration,
            ids: try decodeFully(&ids) { try SegmentBlocks.decodeIDs(&$0, count: count) },
            vectors: try decodeFully(&vectors) {
                header.vectorEncoding == .int8
                    ? try SegmentBlocks.decodeInt8(&$0, count: count, dimension: dimension)
                    : try SegmentBlocks.decodeFloats(&$0, count: count * dimension, what: "vectors")
            },
            norms: try decodeFully(&norms) { try SegmentBlocks.decodeFloats(&$0, count: count, what: "norms") },
            levels: levelValues,
            neighbors: try decodeFully(&graph) {
                try SegmentBlocks.decodeGraph(&$0, levels: levelValues, maxLinks: configuration.maxLinks(layer: 0))
            },
            entryPoint: header.entryPoint, maxLevel: header.maxLevel)
        let attributeValues = try decodeFully(&attributes) { try SegmentBlocks.decodeAttributes(&$0, count: count) }
        return SegmentContents(header: header, snapshot: snapshot, attributes: attributeValues, blocks: blocks,
                               fileSize: fileSize)
    }

    /// Runs `decode` and checks that it consumed the whole payload.
    private static func decodeFully<T>(_ reader: inout ByteReader, _ decode: (inout ByteReader) throws -> T) throws -> T {
        let value = try decode(&reader)
        guard reader.isAtEnd else { throw reader.corrupt("\(reader.remaining) unexpected bytes at the end of the block") }
        return value
    }

    /// Reads and verifies the trailer and the block index.
    static func readBlockIndex(_ file: FileDescriptor, fileSize: Int, header: SegmentHeader) throws -> [SegmentBlockLocation] {
        let path = file.path
        let trailerOffset = fileSize - SegmentFormat.trailerSize
        let trailer = try file.read(count: SegmentFormat.trailerSize, at: trailerOffset)
        guard Array(trailer[16..<24]) == SegmentFormat.trailerMagic else {
            throw StorageError.corrupt(file: path, offset: trailerOffset + 16, reason: "segment trailer magic number is missing")
        }
        var reader = ByteReader(trailer, file: path, baseOffset: trailerOffset)
        let blockCount = Int(try reader.readUInt32("block count"))
        let indexOffset = Int(clamping: try reader.readUInt64("block index offset"))
        let storedChecksum = try reader.readUInt32("footer checksum")
        let indexLength = blockCount * SegmentFormat.indexEntrySize
        guard blockCount == header.blockCount, indexOffset >= SegmentFormat.headerSize,
              indexOffset + indexLength == trailerOffset else {
            throw StorageError.corrupt(file: path, offset: trailerOffset,
                                       reason: "block index of \(blockCount) entries at offset \(indexOffset) does not fit the file")
        }
        let index = try file.read(count: indexLength, at: indexOffset)
        let checksum = CRC32C.checksum(trailer, range: 0..<12, continuing: CRC32C.checksum(index))
        guard checksum == storedChecksum else {
            throw StorageError.corrupt(file: path, offset: trailerOffset + 12, reason: "footer checksum mismatch")
        }
        var entries = ByteReader(index, file: path, baseOffset: indexOffset)
        var locations: [SegmentBlockLocation] = []
        var expectedOffset = SegmentFormat.headerSize
        for _ in 0..<blockCount {
            let entryOffset = entries.fileOffset
            let kindValue = try entries.readUInt32("block kind")
            let offset = Int(clamping: try entries.readUInt64("block offset"))
            let length = Int(clamping: try entries.readUInt64("block length"))
            guard let kind = SegmentFormat.BlockKind(rawValue: kindValue) else {
                throw StorageError.corrupt(file: path, offset: entryOffset, reason: "unknown block kind \(kindValue)")
            }
            guard offset == expectedOffset, length >= SegmentFormat.blockHeaderSize + 4,
                  offset + length <= indexOffset else {
                throw StorageError.corrupt(file: path, offset: entryOffset,
                                           reason: "\(kind) block at \(offset) with length \(length) overlaps another structure")
            }
            locations.append(SegmentBlockLocation(kind: kind, offset: offset, length: length))
            expectedOffset = offset + length
        }
        guard expectedOffset == indexOffset else {
            throw StorageError.corrupt(file: path, offset: expectedOffset, reason: "gap between the last block and the block index")
        }
        return locations
    }

    /// Reads one block, verifies its CRC32C and returns the decompressed payload.
    static func readBlock(_ file: FileDescriptor, location: SegmentBlockLocation) throws -> [UInt8] {
        let path = file.path
        let bytes = try file.read(count: location.length, at: location.offset)
        let checksumOffset = location.length - 4
        var trailer = ByteReader(bytes, file: path, baseOffset: location.offset, range: checksumOffset..<location.length)
        guard try trailer.readUInt32() == CRC32C.checksum(bytes, range: 0..<checksumOffset) else {
            throw StorageError.corrupt(file: path, offset: location.offset,
                                       reason: "\(location.kind) block checksum mismatch")
        }
        var reader = ByteReader(bytes, file: path, baseOffset: location.offset, range: 0..<checksumOffset)
        let kind = try reader.readUInt32("block kind")
        let codecValue = try reader.readUInt8("codec")
        _ = try reader.readBytes(3, "reserved")
        let rawLength = Int(clamping: try reader.readUInt64("raw length"))
        let storedLength = Int(clamping: try reader.readUInt64("stored length"))
        guard kind == location.kind.rawValue else {
            throw reader.corrupt("block kind \(kind) does not match the index entry \(location.kind.rawValue)", at: 0)
        }
        guard storedLength == reader.remaining else {
            throw reader.corrupt("stored length \(storedLength) does not match the block size", at: 16)
        }
        let stored = try reader.readBytes(storedLength, "payload")
        switch SegmentFormat.Codec(rawValue: codecValue) {
        case .raw:
            guard rawLength == storedLength else { throw reader.corrupt("raw block lengths disagree", at: 8) }
            return Array(stored)
        case .lz4:
            guard let payload = LZ4Block.decompress(stored, originalCount: rawLength) else {
                throw reader.corrupt("LZ4 payload does not decompress to \(rawLength) bytes", at: SegmentFormat.blockHeaderSize)
            }
            return payload
        case nil:
            throw reader.corrupt("unknown codec \(codecValue)", at: 4)
        }
    }
}
