import Foundation

/// Errors raised by the storage engine. Each case carries the values a reader
/// needs to find the problem: the file and byte offset for corruption, the
/// path and `errno` for a failed system call, the offending value for bad input.
public enum StorageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A checksum, magic number or structural check failed at `offset` in `file`.
    case corrupt(file: String, offset: Int, reason: String)
    /// A file was written by a format version this build does not read.
    case unsupportedVersion(file: String, found: UInt32, supported: UInt32)
    /// A system call failed; `errno` is the C error number (`ENOSPC` when the disk is full).
    case io(operation: String, path: String, errno: Int32)
    /// The write-ahead log failed earlier (for example a failed `fsync`), so the
    /// collection rejects writes until it is reopened; reads keep working.
    case writesDisabled(collection: String, cause: String)
    /// An element id is empty or longer than `StorageLimits.maxIdentifierBytes`.
    case invalidIdentifier(String)
    /// Attributes are longer than `StorageLimits.maxAttributeBytes`.
    case attributesTooLarge(bytes: Int, limit: Int)
    /// A collection or store option is out of range.
    case invalidOption(name: String, value: String, expected: String)
    /// `createCollection` was called with a name that already exists.
    case collectionExists(String)
    /// A collection name is empty or longer than `StorageLimits.maxCollectionNameBytes`.
    case invalidCollectionName(String)
    /// The store or collection was closed or dropped.
    case closed(String)
    /// The index layer rejected an operation.
    case index(String)
    /// Row `row` of a bulk import has an invalid id, vector or attributes, or repeats an id.
    case invalidElement(row: Int, id: String, reason: String)

    /// Whether this error is a full disk (`ENOSPC`, `EDQUOT` or `EFBIG` from a file size limit).
    public var isDiskFull: Bool {
        if case .io(_, _, let code) = self { return code == ENOSPC || code == EDQUOT || code == EFBIG }
        return false
    }

    public var description: String {
        switch self {
        case let .corrupt(file, offset, reason):
            return "corrupt data in \(file) at byte offset \(offset): \(reason); restore the collection from a snapshot or remove it"
        case let .unsupportedVersion(file, found, supported):
            return "\(file) has format version \(found) but this build reads version \(supported); open it with a matching Larder release"
        case let .io(operation, path, code):
            return "\(operation) failed on \(path): \(String(cString: strerror(code))) (errno \(code))"
        case let .writesDisabled(collection, cause):
            return "collection '\(collection)' rejects writes after an earlier write-ahead log failure (\(cause)); free disk space and reopen the store"
        case let .invalidIdentifier(id):
            return "invalid element id '\(id.prefix(64))': ids must be 1 to \(StorageLimits.maxIdentifierBytes) bytes of UTF-8"
        case let .attributesTooLarge(bytes, limit):
            return "attributes are \(bytes) bytes, more than the limit of \(limit); send a smaller JSON document"
        case let .invalidOption(name, value, expected):
            return "invalid \(name) '\(value)': expected \(expected)"
        case let .collectionExists(name):
            return "collection '\(name)' already exists; drop it first or use another name"
        case let .invalidCollectionName(name):
            return "invalid collection name '\(name.prefix(64))': names must be 1 to \(StorageLimits.maxCollectionNameBytes) bytes of UTF-8"
        case let .closed(what):
            return "\(what) is closed"
        case let .index(message):
            return "index error: \(message)"
        case let .invalidElement(row, id, reason):
            return "row \(row) (id '\(id.prefix(64))') is invalid: \(reason); fix or remove that row and import again"
        }
    }
}

/// Size limits that keep one record or block within what the formats encode.
public enum StorageLimits {
    /// Maximum element id length in UTF-8 bytes (Redis keys may be longer; ids here are element names).
    public static let maxIdentifierBytes = 65_535
    /// Maximum attribute document length in bytes.
    public static let maxAttributeBytes = 16 << 20
    /// Maximum collection name length in UTF-8 bytes.
    public static let maxCollectionNameBytes = 1_024
    /// Maximum vector dimension.
    public static let maxDimension = 65_536
}
