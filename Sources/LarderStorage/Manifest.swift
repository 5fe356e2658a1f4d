import Foundation

/// A collection's manifest: its options, the live segments, the ids deleted
/// from each segment and where WAL replay starts. It is the root of the
/// collection's on-disk state and is replaced atomically
/// (`FileSystem.writeAtomically`) whenever a segment is added or removed.
///
/// Layout: 8-byte magic `LARDMAN\0`, `u32` version, `u32` body length, the
/// body, and a `u32` CRC32C of everything before it (docs/storage-format.md).
struct Manifest: Equatable {
    static let magic: [UInt8] = Array("LARDMAN".utf8) + [0]
    static let version: UInt32 = 1
    static let fileName = "MANIFEST"

    /// One immutable segment file, `seg-<number>.lseg`.
    struct SegmentEntry: Equatable {
        var number: UInt64
        var elementCount: Int
        var fileSize: Int

        var fileName: String { Self.fileName(number: number) }

        static func fileName(number: UInt64) -> String { "seg-\(number).lseg" }
    }

    var collectionName: String
    var dimension: Int
    var metric: String
    var quantization: String
    var m: Int
    var efConstruction: Int
    /// Generation of the oldest WAL file still to replay; older ones are in segments.
    var walGeneration: UInt64
    /// Next log sequence number to assign, so numbers keep increasing across seals.
    var nextSequence: UInt64
    var nextSegmentNumber: UInt64
    var segments: [SegmentEntry]
    /// Ids deleted from (or replaced in) each segment, keyed by segment number.
    var deletions: [UInt64: Set<String>]

    func encoded() -> [UInt8] {
        var body = ByteWriter(capacity: 256)
        body.appendString(collectionName)
        body.appendVarint(UInt64(dimension))
        body.appendString(metric)
        body.appendString(quantization)
        body.appendVarint(UInt64(m))
        body.appendVarint(UInt64(efConstruction))
        body.append(walGeneration)
        body.append(nextSequence)
        body.append(nextSegmentNumber)
        body.appendVarint(UInt64(segments.count))
        for segment in segments {
            body.append(segment.number)
            body.appendVarint(UInt64(segment.elementCount))
            body.appendVarint(UInt64(segment.fileSize))
            let deleted = (deletions[segment.number] ?? []).sorted()
            body.appendVarint(UInt64(deleted.count))
            for id in deleted { body.appendString(id) }
        }
        var file = ByteWriter(capacity: body.count + 20)
        file.append(contentsOf: Self.magic)
        file.append(Self.version)
        file.append(UInt32(body.count))
        file.append(contentsOf: body.bytes)
        file.append(CRC32C.checksum(file.bytes))
        return file.bytes
    }

    static func decode(_ bytes: [UInt8], file: String) throws -> Manifest {
        let headerSize = 16
        guard bytes.count >= headerSize + 4 else {
            throw StorageError.corrupt(file: file, offset: bytes.count, reason: "manifest is truncated (\(bytes.count) bytes)")
        }
        guard Array(bytes[0..<8]) == magic else {
            throw StorageError.corrupt(file: file, offset: 0, reason: "not a Larder manifest (bad magic number)")
        }
        var header = ByteReader(bytes, file: file, range: 8..<headerSize)
        let version = try header.readUInt32()
        let bodyLength = Int(try header.readUInt32())
        guard bodyLength == bytes.count - headerSize - 4 else {
            throw StorageError.corrupt(file: file, offset: 12,
                                       reason: "manifest body length \(bodyLength) does not match the file size \(bytes.count)")
        }
        let checksumOffset = bytes.count - 4
        var trailer = ByteReader(bytes, file: file, range: checksumOffset..<bytes.count)
        guard try trailer.readUInt32() == CRC32C.checksum(bytes, range: 0..<checksumOffset) else {
            throw StorageError.corrupt(file: file, offset: checksumOffset, reason: "manifest checksum mismatch")
        }
        guard version == Self.version else {
            throw StorageError.unsupportedVersion(file: file, found: version, supported: Self.version)
        }
        var reader = ByteReader(bytes, file: file, range: headerSize..<checksumOffset)
        var manifest = Manifest(
            collectionName: try reader.readString("collection name", limit: StorageLimits.maxCollectionNameBytes),
            dimension: try reader.readCount("dimension", limit: StorageLimits.maxDimension),
            metric: try reader.readString("metric", limit: 64),
            quantization: try reader.readString("quantization", limit: 64),
            m: try reader.readCount("m", limit: 1 << 16),
            efConstruction: try reader.readCount("efConstruction", limit: 1 << 24),
            walGeneration: try reader.readUInt64("WAL generation"),
            nextSequence: try reader.readUInt64("next sequence"),
            nextSegmentNumber: try reader.readUInt64("next segment number"),
            segments: [], deletions: [:])
        let segmentCount = try reader.readCount("segment count", limit: 1 << 20)
        for _ in 0..<segmentCount {
            let entry = SegmentEntry(number: try reader.readUInt64("segment number"),
                                     elementCount: try reader.readCount("element count", limit: Int(UInt32.max)),
                                     fileSize: try reader.readCount("segment size", limit: Int.max))
            let deletedCount = try reader.readCount("deleted id count", limit: entry.elementCount)
            var deleted = Set<String>(minimumCapacity: deletedCount)
            for _ in 0..<deletedCount {
                deleted.insert(try reader.readString("deleted id", limit: StorageLimits.maxIdentifierBytes))
            }
            manifest.segments.append(entry)
            if !deleted.isEmpty { manifest.deletions[entry.number] = deleted }
        }
        guard reader.isAtEnd else { throw reader.corrupt("\(reader.remaining) unexpected bytes at the end of the manifest") }
        return manifest
    }

    static func read(directory: String) throws -> Manifest {
        let path = directory + "/" + fileName
        return try decode(try FileSystem.readFile(path), file: path)
    }

    func write(directory: String) throws {
        try FileSystem.writeAtomically(encoded(), to: directory + "/" + Self.fileName)
    }
}
