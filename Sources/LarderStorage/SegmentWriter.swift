import LarderHNSW
import LarderVector

/// Writes an immutable segment file from a graph snapshot and the elements'
/// attributes.
enum SegmentWriter {
    /// Writes `snapshot` and `attributes` (parallel to `snapshot.ids`) to a new
    /// file at `path`, fsyncs it and its directory, and returns the file size.
    /// Blocks are LZ4-compressed when that makes them smaller.
    ///
    /// - Parameter vectorEncoding: `.int8` stores one byte per component plus a
    ///   scale per vector instead of fp32.
    /// - Throws: `StorageError.io` when the file cannot be written (the partial file is removed).
    static func write(snapshot: HNSWGraphSnapshot, attributes: [String?],
                      vectorEncoding: SegmentFormat.VectorEncoding, to path: String) throws -> Int {
        precondition(attributes.count == snapshot.ids.count, "one attributes entry per element")
        let configuration = snapshot.configuration
        let bytes = encode(snapshot: snapshot, attributes: attributes, vectorEncoding: vectorEncoding,
                           configuration: configuration)
        let file = try FileDescriptor.createExclusive(path)
        do {
            try file.write(bytes)
            try file.sync()
            file.close()
            try FileSystem.syncDirectory(containing: path)
        } catch {
            file.close()
            FileSystem.remove(path)
            throw error
        }
        return bytes.count
    }

    /// Builds the whole file in memory.
    static func encode(snapshot: HNSWGraphSnapshot, attributes: [String?],
                       vectorEncoding: SegmentFormat.VectorEncoding, configuration: HNSWConfiguration) -> [UInt8] {
        let dimension = configuration.dimension
        let vectorPayload = vectorEncoding == .int8
            ? SegmentBlocks.encodeInt8(snapshot.vectors, dimension: dimension)
            : SegmentBlocks.encodeFloats(snapshot.vectors)
        let payloads: [(SegmentFormat.BlockKind, [UInt8])] = [
            (.ids, SegmentBlocks.encodeIDs(snapshot.ids)),
            (.vectors, vectorPayload),
            (.norms, SegmentBlocks.encodeFloats(snapshot.norms)),
            (.levels, SegmentBlocks.encodeLevels(snapshot.levels)),
            (.graph, SegmentBlocks.encodeGraph(snapshot.neighbors)),
            (.attributes, SegmentBlocks.encodeAttributes(attributes)),
        ]
        let header = SegmentHeader(elementCount: snapshot.ids.count, dimension: dimension, metric: configuration.metric,
                                   vectorEncoding: vectorEncoding, m: configuration.m,
                                   efConstruction: configuration.efConstruction, seed: configuration.seed,
                                   entryPoint: snapshot.entryPoint, maxLevel: snapshot.maxLevel,
                                   blockCount: payloads.count)
        var file = ByteWriter(capacity: SegmentFormat.headerSize + payloads.reduce(0) { $0 + $1.1.count })
        file.append(contentsOf: header.encoded())
        var locations: [SegmentBlockLocation] = []
        for (kind, payload) in payloads {
            let start = file.count
            appendBlock(kind: kind, payload: payload, to: &file)
            locations.append(SegmentBlockLocation(kind: kind, offset: start, length: file.count - start))
        }
        appendFooter(locations, to: &file)
        return file.bytes
    }

    private static func appendBlock(kind: SegmentFormat.BlockKind, payload: [UInt8], to file: inout ByteWriter) {
        let compressed = LZ4Block.compress(payload)
        let useLZ4 = !payload.isEmpty && compressed.count < payload.count
        let stored = useLZ4 ? compressed : payload
        var block = ByteWriter(capacity: SegmentFormat.blockHeaderSize + stored.count + 4)
        block.append(kind.rawValue)
        block.append((useLZ4 ? SegmentFormat.Codec.lz4 : .raw).rawValue)
        block.append(UInt8(0))
        block.append(UInt16(0))
        block.append(UInt64(payload.count))
        block.append(UInt64(stored.count))
        block.append(contentsOf: stored)
        block.append(CRC32C.checksum(block.bytes))
        file.append(contentsOf: block.bytes)
    }

    private static func appendFooter(_ locations: [SegmentBlockLocation], to file: inout ByteWriter) {
        var footer = ByteWriter(capacity: locations.count * SegmentFormat.indexEntrySize + SegmentFormat.trailerSize)
        let indexOffset = file.count
        for location in locations {
            footer.append(location.kind.rawValue)
            footer.append(UInt64(location.offset))
            footer.append(UInt64(location.length))
        }
        footer.append(UInt32(locations.count))
        footer.append(UInt64(indexOffset))
        footer.append(CRC32C.checksum(footer.bytes))
        footer.append(contentsOf: SegmentFormat.trailerMagic)
        file.append(contentsOf: footer.bytes)
    }
}
