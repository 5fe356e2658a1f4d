/// A read-only view of a zip archive held in memory, enough for the files
/// `torch.save` writes (PyTorch 1.6 and later): the central directory,
/// Zip64 sizes and offsets, and stored (uncompressed) entries.
///
/// The record layouts follow PKWARE's APPNOTE.TXT (sections 4.3 and 4.5).
/// Compressed entries are listed but `data(for:)` rejects them, because
/// `torch.save` never compresses and Larder links no inflate library.
public struct ZipArchive {
    /// One file in the archive.
    public struct Entry: Sendable, Equatable {
        /// Path inside the archive.
        public let name: String
        /// Compression method: 0 is stored, 8 is deflate.
        public let method: UInt16
        /// Size of the stored bytes.
        public let compressedSize: Int
        /// Size once decompressed.
        public let uncompressedSize: Int
        /// Offset of the entry's local file header.
        let localHeaderOffset: Int
    }

    /// The archive's bytes.
    public let bytes: [UInt8]
    /// Entries in central-directory order.
    public let entries: [Entry]
    private let indexByName: [String: Int]

    /// Parses the central directory of `bytes`.
    /// - Throws: `ZipError` when no end-of-central-directory record is found or a record is cut short.
    public init(bytes: [UInt8]) throws {
        self.bytes = bytes
        let (directoryOffset, entryCount) = try Self.locateCentralDirectory(bytes)
        var entries: [Entry] = []
        entries.reserveCapacity(entryCount)
        var position = directoryOffset
        for _ in 0..<entryCount {
            let (entry, next) = try Self.readCentralEntry(bytes, at: position)
            entries.append(entry)
            position = next
        }
        self.entries = entries
        var indexByName: [String: Int] = [:]
        for (index, entry) in entries.enumerated() { indexByName[entry.name] = index }
        self.indexByName = indexByName
    }

    /// The entry called `name`, or `nil`.
    public func entry(named name: String) -> Entry? {
        indexByName[name].map { entries[$0] }
    }

    /// The byte range of a stored entry's contents within `bytes`.
    /// - Throws: `ZipError.compressedEntry` for deflated entries, `ZipError.truncated` when the data runs past the end.
    public func dataRange(of entry: Entry) throws -> Range<Int> {
        guard entry.method == 0 else { throw ZipError.compressedEntry(name: entry.name, method: entry.method) }
        let header = entry.localHeaderOffset
        guard try Self.read32(bytes, header) == 0x0403_4B50 else { throw ZipError.invalidRecord("local header of \(entry.name)") }
        let nameLength = Int(try Self.read16(bytes, header + 26))
        let extraLength = Int(try Self.read16(bytes, header + 28))
        let start = header + 30 + nameLength + extraLength
        guard entry.compressedSize == entry.uncompressedSize, start + entry.compressedSize <= bytes.count else {
            throw ZipError.truncated(entry.name)
        }
        return start..<(start + entry.compressedSize)
    }

    // MARK: - Records

    private static func locateCentralDirectory(_ bytes: [UInt8]) throws -> (offset: Int, count: Int) {
        // The end record is 22 bytes plus a comment of up to 65,535 bytes.
        let earliest = max(0, bytes.count - 22 - 65_535)
        var position = bytes.count - 22
        while position >= earliest {
            if bytes[position] == 0x50, try read32(bytes, position) == 0x0605_4B50 { break }
            position -= 1
        }
        guard position >= earliest else { throw ZipError.invalidRecord("end of central directory") }

        var count = Int(try read16(bytes, position + 10))
        var offset = Int(try read32(bytes, position + 16))
        // A Zip64 locator sits just before the end record when a field overflowed.
        let locator = position - 20
        if locator >= 0, try read32(bytes, locator) == 0x0706_4B50 {
            guard let record = Int(exactly: try read64(bytes, locator + 8)),
                  try read32(bytes, record) == 0x0606_4B50,
                  let record64Count = Int(exactly: try read64(bytes, record + 32)),
                  let record64Offset = Int(exactly: try read64(bytes, record + 48)) else {
                throw ZipError.invalidRecord("Zip64 end of central directory")
            }
            count = record64Count
            offset = record64Offset
        }
        guard offset >= 0, offset <= bytes.count, count >= 0, count <= bytes.count / 46 + 1 else {
            throw ZipError.invalidRecord("end of central directory")
        }
        return (offset, count)
    }

    private static func readCentralEntry(_ bytes: [UInt8], at position: Int) throws -> (Entry, Int) {
        guard try read32(bytes, position) == 0x0201_4B50 else { throw ZipError.invalidRecord("central directory entry") }
        let method = try read16(bytes, position + 10)
        var compressedSize = UInt64(try read32(bytes, position + 20))
        var uncompressedSize = UInt64(try read32(bytes, position + 24))
        let nameLength = Int(try read16(bytes, position + 28))
        let extraLength = Int(try read16(bytes, position + 30))
        let commentLength = Int(try read16(bytes, position + 32))
        var localHeaderOffset = UInt64(try read32(bytes, position + 42))
        let nameStart = position + 46
        guard nameStart + nameLength + extraLength + commentLength <= bytes.count else {
            throw ZipError.invalidRecord("central directory entry")
        }
        let name = String(decoding: bytes[nameStart..<(nameStart + nameLength)], as: UTF8.self)

        // Zip64 extra field: 64-bit values for whichever 32-bit fields are 0xFFFFFFFF, in this order.
        var extra = nameStart + nameLength
        let extraEnd = extra + extraLength
        while extra + 4 <= extraEnd {
            let tag = try read16(bytes, extra)
            let size = Int(try read16(bytes, extra + 2))
            if tag == 0x0001 {
                var field = extra + 4
                if uncompressedSize == 0xFFFF_FFFF { uncompressedSize = try read64(bytes, field); field += 8 }
                if compressedSize == 0xFFFF_FFFF { compressedSize = try read64(bytes, field); field += 8 }
                if localHeaderOffset == 0xFFFF_FFFF { localHeaderOffset = try read64(bytes, field) }
            }
            extra += 4 + size
        }
        let limit = UInt64(bytes.count)
        guard compressedSize <= limit, localHeaderOffset < limit, uncompressedSize <= UInt64(Int.max) else {
            throw ZipError.truncated(name)
        }
        let entry = Entry(name: name, method: method, compressedSize: Int(compressedSize),
                          uncompressedSize: Int(uncompressedSize), localHeaderOffset: Int(localHeaderOffset))
        return (entry, extraEnd + commentLength)
    }

    // MARK: - Little-endian fields

    private static func read16(_ bytes: [UInt8], _ offset: Int) throws -> UInt16 {
        guard offset >= 0, offset + 2 <= bytes.count else { throw ZipError.invalidRecord("field at byte \(offset)") }
        return UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    private static func read32(_ bytes: [UInt8], _ offset: Int) throws -> UInt32 {
        guard offset >= 0, offset + 4 <= bytes.count else { throw ZipError.invalidRecord("field at byte \(offset)") }
        return (0..<4).reduce(0) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
    }

    private static func read64(_ bytes: [UInt8], _ offset: Int) throws -> UInt64 {
        guard offset >= 0, offset + 8 <= bytes.count else { throw ZipError.invalidRecord("field at byte \(offset)") }
        return (0..<8).reduce(0) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) }
    }
}

/// A failure to read a zip archive.
public enum ZipError: Error, Equatable, CustomStringConvertible {
    /// A record is missing or has the wrong signature.
    case invalidRecord(String)
    /// An entry's data runs past the end of the archive.
    case truncated(String)
    /// An entry is compressed; only stored entries are read.
    case compressedEntry(name: String, method: UInt16)

    public var description: String {
        switch self {
        case .invalidRecord(let what):
            return "invalid zip archive: \(what) not found or malformed; the file is truncated or not a zip"
        case .truncated(let name):
            return "zip entry '\(name)' runs past the end of the archive; the file is truncated"
        case .compressedEntry(let name, let method):
            return "zip entry '\(name)' is compressed (method \(method)); only stored entries are supported, so unzip the archive first or re-save it with torch.save"
        }
    }
}
