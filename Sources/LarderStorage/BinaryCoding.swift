import Foundation

// MARK: - Writer

/// Appends little-endian integers, LEB128 varints and raw bytes to a growing buffer.
/// Every on-disk structure (WAL records, manifest, segment blocks) is built with it.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    var count: Int { bytes.count }

    mutating func append(_ value: UInt8) { bytes.append(value) }

    mutating func append(_ value: UInt16) { appendLittleEndian(value) }

    mutating func append(_ value: UInt32) { appendLittleEndian(value) }

    mutating func append(_ value: UInt64) { appendLittleEndian(value) }

    mutating func append(_ value: Float) { appendLittleEndian(value.bitPattern) }

    private mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends an unsigned LEB128 varint: seven bits per byte, high bit set on every byte but the last.
    mutating func appendVarint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    mutating func append(contentsOf other: [UInt8]) { bytes.append(contentsOf: other) }

    mutating func append(contentsOf other: UnsafeRawBufferPointer) { bytes.append(contentsOf: other) }

    /// Appends a varint byte count followed by the UTF-8 bytes of `string`.
    mutating func appendString(_ string: String) {
        appendVarint(UInt64(string.utf8.count))
        bytes.append(contentsOf: string.utf8)
    }

    /// Appends `floats` as raw IEEE 754 values in host order, which is little-endian
    /// on every platform Swift on Linux and macOS supports (x86-64 and arm64).
    mutating func appendFloats(_ floats: [Float]) {
        floats.withUnsafeBytes { bytes.append(contentsOf: $0) }
    }

    /// Overwrites four bytes at `offset` with `value` (for lengths known only after the body).
    mutating func patch(_ value: UInt32, at offset: Int) {
        withUnsafeBytes(of: value.littleEndian) { raw in
            for i in 0..<4 { bytes[offset + i] = raw[i] }
        }
    }
}

// MARK: - Reader

/// Reads what `ByteWriter` wrote. Every read is bounds-checked and a short or
/// malformed buffer raises `StorageError.corrupt` naming `file` and the absolute
/// byte offset (`baseOffset` plus the position inside the buffer).
struct ByteReader {
    let bytes: [UInt8]
    let file: String
    let baseOffset: Int
    private(set) var position: Int
    let end: Int

    init(_ bytes: [UInt8], file: String, baseOffset: Int = 0, range: Range<Int>? = nil) {
        self.bytes = bytes
        self.file = file
        self.baseOffset = baseOffset
        self.position = range?.lowerBound ?? 0
        self.end = range?.upperBound ?? bytes.count
    }

    var remaining: Int { end - position }
    var isAtEnd: Bool { position >= end }
    /// Absolute file offset of the next byte to read.
    var fileOffset: Int { baseOffset + position }

    func corrupt(_ reason: String, at offset: Int? = nil) -> StorageError {
        .corrupt(file: file, offset: baseOffset + (offset ?? position), reason: reason)
    }

    private mutating func require(_ count: Int, _ what: String) throws {
        guard count >= 0, count <= remaining else {
            throw corrupt("\(what) needs \(count) bytes but only \(remaining) remain")
        }
    }

    mutating func readUInt8(_ what: String = "byte") throws -> UInt8 {
        try require(1, what)
        defer { position += 1 }
        return bytes[position]
    }

    mutating func readUInt16(_ what: String = "16-bit integer") throws -> UInt16 { try readLittleEndian(what) }

    mutating func readUInt32(_ what: String = "32-bit integer") throws -> UInt32 { try readLittleEndian(what) }

    mutating func readUInt64(_ what: String = "64-bit integer") throws -> UInt64 { try readLittleEndian(what) }

    mutating func readFloat(_ what: String = "float") throws -> Float {
        Float(bitPattern: try readLittleEndian(what) as UInt32)
    }

    private mutating func readLittleEndian<T: FixedWidthInteger>(_ what: String) throws -> T {
        let size = MemoryLayout<T>.size
        try require(size, what)
        var value: T = 0
        for i in stride(from: size - 1, through: 0, by: -1) {
            value = (value << 8) | T(bytes[position + i])
        }
        position += size
        return value
    }

    /// Reads an unsigned LEB128 varint of at most ten bytes.
    mutating func readVarint(_ what: String = "varint") throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        let start = position
        while true {
            guard position < end else { throw corrupt("\(what) runs past the end of its buffer", at: start) }
            let byte = bytes[position]
            position += 1
            if shift == 63 && byte > 1 { throw corrupt("\(what) overflows 64 bits", at: start) }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
            if shift > 63 { throw corrupt("\(what) is longer than 10 bytes", at: start) }
        }
    }

    /// Reads a varint that must fit in `0...limit`.
    mutating func readCount(_ what: String, limit: Int) throws -> Int {
        let start = position
        let value = try readVarint(what)
        guard value <= UInt64(limit) else {
            throw corrupt("\(what) is \(value), more than the limit \(limit)", at: start)
        }
        return Int(value)
    }

    mutating func readBytes(_ count: Int, _ what: String = "bytes") throws -> ArraySlice<UInt8> {
        try require(count, what)
        defer { position += count }
        return bytes[position..<(position + count)]
    }

    /// Reads a varint length and that many bytes of valid UTF-8.
    mutating func readString(_ what: String, limit: Int) throws -> String {
        let start = position
        let count = try readCount("\(what) length", limit: limit)
        let slice = try readBytes(count, what)
        guard let string = String(validating: slice, as: UTF8.self) else {
            throw corrupt("\(what) is not valid UTF-8", at: start)
        }
        return string
    }

    /// Reads `count` raw little-endian floats.
    mutating func readFloats(_ count: Int, _ what: String = "vector") throws -> [Float] {
        try require(count * 4, what)
        var floats = [Float](repeating: 0, count: count)
        floats.withUnsafeMutableBytes { destination in
            bytes.withUnsafeBytes { source in
                destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[position..<(position + count * 4)]))
            }
        }
        position += count * 4
        return floats
    }
}
