import Foundation

// MARK: - Reading operands

extension PickleMachine {
    /// Largest length operand accepted, so a corrupt length cannot request
    /// an absurd allocation before the bounds check.
    static let maximumLength = 1 << 40

    mutating func readByte() throws -> UInt8 {
        guard position < bytes.count else { throw PickleError.truncated(offset: position) }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func readBytes(_ count: Int) throws -> [UInt8] {
        guard count >= 0, count <= bytes.count - position else { throw PickleError.truncated(offset: position) }
        defer { position += count }
        return Array(bytes[position..<(position + count)])
    }

    mutating func readLittleEndian(_ count: Int) throws -> UInt64 {
        guard count <= bytes.count - position else { throw PickleError.truncated(offset: position) }
        var value: UInt64 = 0
        for index in 0..<count { value |= UInt64(bytes[position + index]) << (8 * UInt64(index)) }
        position += count
        return value
    }

    mutating func readBigEndian64() throws -> UInt64 {
        guard 8 <= bytes.count - position else { throw PickleError.truncated(offset: position) }
        var value: UInt64 = 0
        for index in 0..<8 { value = (value << 8) | UInt64(bytes[position + index]) }
        position += 8
        return value
    }

    /// Reads an unsigned length operand of `count` bytes.
    mutating func readLength(_ count: Int) throws -> Int {
        let value = try readLittleEndian(count)
        guard value <= UInt64(Self.maximumLength) else { throw PickleError.truncated(offset: position) }
        return Int(value)
    }

    /// Reads a little-endian two's complement integer of `count` bytes (LONG1, LONG4).
    mutating func readLong(count: Int) throws -> PickleValue {
        let digits = try readBytes(count)
        if digits.isEmpty { return .int(0) }
        if count > 8 { return .bigInt(digits) }
        var value: UInt64 = 0
        for (index, byte) in digits.enumerated() { value |= UInt64(byte) << (8 * UInt64(index)) }
        if digits.last! & 0x80 != 0, count < 8 {
            value |= ~0 << (8 * UInt64(count))  // sign-extend
        }
        return .int(Int(Int64(bitPattern: value)))
    }

    mutating func readUTF8(count: Int) throws -> String {
        let data = try readBytes(count)
        guard let text = String(bytes: data, encoding: .utf8) else { throw PickleError.invalidUTF8(offset: position - count) }
        return text
    }

    mutating func readLatin1(count: Int) throws -> String {
        String(decoding: try readBytes(count).map { UInt16($0) }, as: UTF16.self)
    }

    /// Reads text up to the next newline (protocol 0 operands).
    mutating func readLine() throws -> String {
        guard let end = bytes[position...].firstIndex(of: 0x0A) else { throw PickleError.truncated(offset: position) }
        defer { position = end + 1 }
        return String(decoding: bytes[position..<end], as: UTF8.self)
    }

    // MARK: - Text operands

    func parseTextInteger(_ text: String) throws -> PickleValue {
        switch text {
        case "00": return .bool(false)
        case "01": return .bool(true)
        default:
            guard let value = Int(text) else { throw PickleError.invalidText(opcode: "INT", text: text) }
            return .int(value)
        }
    }

    func parseMemoIndex(_ text: String) throws -> Int {
        guard let index = Int(text), index >= 0 else { throw PickleError.invalidText(opcode: "GET/PUT", text: text) }
        return index
    }

    /// Strips the quotes of a protocol 0 `STRING` operand; escapes are kept as written.
    func parseQuotedString(_ text: String) throws -> String {
        guard text.count >= 2, let first = text.first, first == text.last, first == "'" || first == "\"" else {
            throw PickleError.invalidText(opcode: "STRING", text: text)
        }
        return String(text.dropFirst().dropLast())
    }
}

/// A failure to read a pickle.
public enum PickleError: Error, Equatable, CustomStringConvertible {
    /// The data ends inside an opcode or before `STOP`.
    case truncated(offset: Int)
    /// An opcode this reader does not implement.
    case unsupportedOpcode(UInt8, offset: Int)
    /// An opcode found a value of the wrong kind on the stack.
    case unexpectedValue(opcode: String, found: String)
    /// An opcode needed more values than the stack holds.
    case stackUnderflow(offset: Int)
    /// `GET` named a memo slot that no `PUT` filled.
    case missingMemo(Int)
    /// A text operand that does not parse.
    case invalidText(opcode: String, text: String)
    /// A string operand that is not valid UTF-8.
    case invalidUTF8(offset: Int)
    /// A persistent id that the caller does not resolve.
    case unsupportedPersistentID(String)

    public var description: String {
        switch self {
        case .truncated(let offset):
            return "pickle data ends early at byte \(offset); the file is truncated or not a pickle"
        case .unsupportedOpcode(let opcode, let offset):
            return "unsupported pickle opcode 0x\(String(opcode, radix: 16)) at byte \(offset); the file is corrupt or uses a feature this reader lacks"
        case .unexpectedValue(let opcode, let found):
            return "pickle opcode \(opcode) found \(found) on the stack; the file is corrupt"
        case .stackUnderflow(let offset):
            return "pickle stack underflow at byte \(offset); the file is corrupt"
        case .missingMemo(let index):
            return "pickle memo slot \(index) is read before it is written; the file is corrupt"
        case .invalidText(let opcode, let text):
            return "invalid text operand '\(text)' for pickle opcode \(opcode)"
        case .invalidUTF8(let offset):
            return "pickle string at byte \(offset) is not valid UTF-8"
        case .unsupportedPersistentID(let kind):
            return "pickle persistent id of kind \(kind) is not supported; only PyTorch storages are"
        }
    }
}
