/// Bytes one kind of segment block takes, summed over a collection's segments.
public struct SegmentBlockSize: Sendable, Equatable {
    /// Block kind: `ids`, `vectors`, `norms`, `levels`, `graph` or `attributes`.
    public var kind: String
    /// Payload bytes before compression.
    public var uncompressedBytes: Int
    /// Bytes in the files: block header, stored payload and checksum.
    public var storedBytes: Int
}

extension Collection {
    /// Reads the block headers of every segment file and sums the sizes per
    /// block kind, in file order. Used by the storage benchmark.
    /// - Throws: `StorageError` when a segment cannot be read.
    public func segmentBlockSizes() throws -> [SegmentBlockSize] {
        manifestLock.lock()
        defer { manifestLock.unlock() }
        let paths = lock.reading {
            sources.filter(\.isDurable).map { directory + "/" + Manifest.SegmentEntry.fileName(number: $0.number) }
        }
        var sizes: [SegmentFormat.BlockKind: SegmentBlockSize] = [:]
        for path in paths {
            let file = try FileDescriptor.openForReading(path)
            defer { file.close() }
            let header = try SegmentHeader.decode(try file.read(count: SegmentFormat.headerSize, at: 0), file: path)
            for location in try SegmentReader.readBlockIndex(file, fileSize: try file.size(), header: header) {
                var reader = ByteReader(try file.read(count: SegmentFormat.blockHeaderSize, at: location.offset),
                                        file: path, baseOffset: location.offset, range: 8..<SegmentFormat.blockHeaderSize)
                let uncompressed = Int(clamping: try reader.readUInt64("raw length"))
                var entry = sizes[location.kind] ?? SegmentBlockSize(kind: "\(location.kind)", uncompressedBytes: 0, storedBytes: 0)
                entry.uncompressedBytes += uncompressed
                entry.storedBytes += location.length
                sizes[location.kind] = entry
            }
        }
        return SegmentFormat.BlockKind.allCases.compactMap { sizes[$0] }
    }
}
