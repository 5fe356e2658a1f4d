/// One logical change in the write-ahead log.
///
/// On disk a record is `u32 bodyLength`, `u32 crc32c(body)`, then the body:
/// `u8 kind`, `u64 sequence`, and the kind's fields (see docs/storage-format.md).
enum WALOperation: Equatable, Sendable {
    /// Insert or replace an element with its vector and attributes.
    case upsert(id: String, vector: [Float], attributes: String?)
    /// Remove an element.
    case delete(id: String)
    /// Replace (or with `nil`, remove) the attributes of an element that lives in the memtable.
    case setAttributes(id: String, attributes: String?)

    var id: String {
        switch self {
        case .upsert(let id, _, _), .delete(let id), .setAttributes(let id, _): return id
        }
    }
}

/// A WAL record: an operation and its log sequence number.
struct WALRecord: Equatable, Sendable {
    var sequence: UInt64
    var operation: WALOperation

    enum Kind: UInt8 {
        case upsert = 1
        case delete = 2
        case setAttributes = 3
    }

    /// Bytes in front of the body: the body length and its CRC32C.
    static let prefixSize = 8
    /// Smallest possible body: kind, sequence and a zero-length id.
    static let minimumBodySize = 1 + 8 + 1
    /// Largest body the reader accepts; larger length fields are treated as damage.
    static let maximumBodySize = 1 + 8 + 10 + StorageLimits.maxIdentifierBytes + 10
        + 4 * StorageLimits.maxDimension + 1 + 10 + StorageLimits.maxAttributeBytes

    /// Encodes the record with its length and checksum prefix.
    func encoded() -> [UInt8] {
        var body = ByteWriter(capacity: 64)
        switch operation {
        case let .upsert(id, vector, attributes):
            body.append(Kind.upsert.rawValue)
            body.append(sequence)
            body.appendString(id)
            body.appendVarint(UInt64(vector.count))
            body.appendFloats(vector)
            Self.appendOptional(attributes, to: &body)
        case let .delete(id):
            body.append(Kind.delete.rawValue)
            body.append(sequence)
            body.appendString(id)
        case let .setAttributes(id, attributes):
            body.append(Kind.setAttributes.rawValue)
            body.append(sequence)
            body.appendString(id)
            Self.appendOptional(attributes, to: &body)
        }
        var record = ByteWriter(capacity: body.count + Self.prefixSize)
        record.append(UInt32(body.count))
        record.append(CRC32C.checksum(body.bytes))
        record.append(contentsOf: body.bytes)
        return record.bytes
    }

    private static func appendOptional(_ attributes: String?, to body: inout ByteWriter) {
        if let attributes {
            body.append(UInt8(1))
            body.appendString(attributes)
        } else {
            body.append(UInt8(0))
        }
    }

    /// Decodes a body whose checksum already matched.
    static func decode(body reader: inout ByteReader) throws -> WALRecord {
        let kindByte = try reader.readUInt8("record kind")
        let sequence = try reader.readUInt64("sequence number")
        let id = try reader.readString("element id", limit: StorageLimits.maxIdentifierBytes)
        let operation: WALOperation
        switch Kind(rawValue: kindByte) {
        case .upsert:
            let dimension = try reader.readCount("vector dimension", limit: StorageLimits.maxDimension)
            let vector = try reader.readFloats(dimension)
            operation = .upsert(id: id, vector: vector, attributes: try readOptional(&reader))
        case .delete:
            operation = .delete(id: id)
        case .setAttributes:
            operation = .setAttributes(id: id, attributes: try readOptional(&reader))
        case nil:
            throw reader.corrupt("unknown record kind \(kindByte)")
        }
        guard reader.isAtEnd else { throw reader.corrupt("\(reader.remaining) unexpected bytes after the record") }
        return WALRecord(sequence: sequence, operation: operation)
    }

    private static func readOptional(_ reader: inout ByteReader) throws -> String? {
        switch try reader.readUInt8("attributes flag") {
        case 0: return nil
        case 1: return try reader.readString("attributes", limit: StorageLimits.maxAttributeBytes)
        case let flag: throw reader.corrupt("attributes flag is \(flag), expected 0 or 1")
        }
    }
}
