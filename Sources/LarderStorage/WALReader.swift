import Foundation

/// Header at the start of each WAL file: 8-byte magic `LARDWAL\0`, `u32`
/// format version, `u32` reserved (zero), `u64` generation and a `u32` CRC32C of
/// the preceding 24 bytes.
struct WALFileHeader: Equatable {
    static let magic: [UInt8] = Array("LARDWAL".utf8) + [0]
    static let version: UInt32 = 1
    static let size = 28

    var generation: UInt64

    func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: Self.size)
        writer.append(contentsOf: Self.magic)
        writer.append(Self.version)
        writer.append(UInt32(0))
        writer.append(generation)
        writer.append(CRC32C.checksum(writer.bytes))
        return writer.bytes
    }

    static func decode(_ bytes: [UInt8], file: String) throws -> WALFileHeader {
        guard bytes.count >= size else {
            throw StorageError.corrupt(file: file, offset: bytes.count, reason: "WAL header is truncated (\(bytes.count) of \(size) bytes)")
        }
        guard Array(bytes[0..<8]) == magic else {
            throw StorageError.corrupt(file: file, offset: 0, reason: "not a Larder WAL file (bad magic number)")
        }
        var reader = ByteReader(bytes, file: file, range: 8..<size)
        let version = try reader.readUInt32()
        _ = try reader.readUInt32()
        let generation = try reader.readUInt64()
        let stored = try reader.readUInt32()
        guard stored == CRC32C.checksum(bytes, range: 0..<24) else {
            throw StorageError.corrupt(file: file, offset: 24, reason: "WAL header checksum mismatch")
        }
        guard version == Self.version else {
            throw StorageError.unsupportedVersion(file: file, found: version, supported: Self.version)
        }
        return WALFileHeader(generation: generation)
    }
}

/// The result of reading one WAL file during recovery.
struct WALReadResult {
    var records: [WALRecord]
    /// End of the last intact record: where appending resumes.
    var validLength: Int
    /// Bytes after `validLength` that belong to a torn final write.
    var droppedBytes: Int
    /// Records (whole or partial) in the dropped tail, counted by walking length prefixes.
    var droppedRecords: Int
}

/// Reads WAL files for recovery and tells a torn tail from corruption.
///
/// A record that fails its checks is a torn tail only when nothing intact
/// follows it: no later offset holds a record whose length fits and whose CRC32C
/// matches. A damaged record followed by an intact one is corruption in the
/// middle of the log, which would otherwise drop acknowledged writes, so it
/// raises `StorageError.corrupt` with the file and offset.
enum WALReader {
    static func read(path: String, expectedGeneration: UInt64) throws -> WALReadResult {
        let bytes = try FileSystem.readFile(path)
        let header = try WALFileHeader.decode(bytes, file: path)
        guard header.generation == expectedGeneration else {
            throw StorageError.corrupt(file: path, offset: 16,
                                       reason: "WAL generation is \(header.generation) but the file name says \(expectedGeneration)")
        }
        var records: [WALRecord] = []
        var offset = WALFileHeader.size
        while offset < bytes.count {
            switch inspect(bytes, at: offset) {
            case .intact(let end):
                var reader = ByteReader(bytes, file: path, range: (offset + WALRecord.prefixSize)..<end)
                let record = try WALRecord.decode(body: &reader)
                if let last = records.last, record.sequence <= last.sequence {
                    throw StorageError.corrupt(file: path, offset: offset,
                                               reason: "sequence number \(record.sequence) does not follow \(last.sequence)")
                }
                records.append(record)
                offset = end
            case .damaged:
                if let intact = firstIntactRecord(bytes, after: offset) {
                    throw StorageError.corrupt(file: path, offset: offset,
                                               reason: "damaged record followed by an intact record at offset \(intact)")
                }
                return WALReadResult(records: records, validLength: offset, droppedBytes: bytes.count - offset,
                                     droppedRecords: countRecords(bytes, from: offset))
            }
        }
        return WALReadResult(records: records, validLength: offset, droppedBytes: 0, droppedRecords: 0)
    }

    private enum Inspection {
        case intact(end: Int)
        case damaged
    }

    private static func inspect(_ bytes: [UInt8], at offset: Int) -> Inspection {
        guard let length = bodyLength(bytes, at: offset) else { return .damaged }
        let bodyStart = offset + WALRecord.prefixSize
        let end = bodyStart + length
        guard end <= bytes.count else { return .damaged }
        let stored = UInt32(bytes[offset + 4]) | UInt32(bytes[offset + 5]) << 8
            | UInt32(bytes[offset + 6]) << 16 | UInt32(bytes[offset + 7]) << 24
        return stored == CRC32C.checksum(bytes, range: bodyStart..<end) ? .intact(end: end) : .damaged
    }

    private static func bodyLength(_ bytes: [UInt8], at offset: Int) -> Int? {
        guard offset + WALRecord.prefixSize <= bytes.count else { return nil }
        let length = Int(UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8
            | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24)
        guard length >= WALRecord.minimumBodySize, length <= WALRecord.maximumBodySize else { return nil }
        return length
    }

    /// Scans every offset after a damaged record for an intact one.
    /// - Complexity: O(n) offsets; the checksum runs only where the length prefix fits.
    private static func firstIntactRecord(_ bytes: [UInt8], after offset: Int) -> Int? {
        var candidate = offset + 1
        while candidate + WALRecord.prefixSize + WALRecord.minimumBodySize <= bytes.count {
            if case .intact = inspect(bytes, at: candidate) { return candidate }
            candidate += 1
        }
        return nil
    }

    /// Counts records in a torn tail by following length prefixes; at least one
    /// when any byte is left.
    private static func countRecords(_ bytes: [UInt8], from offset: Int) -> Int {
        var count = 0
        var position = offset
        while position < bytes.count {
            count += 1
            guard let length = bodyLength(bytes, at: position) else { break }
            position += WALRecord.prefixSize + length
        }
        return count
    }
}
