/// A reply that is not valid RESP.
public struct RESPReplyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What was wrong, with the offending bytes.
    public let reason: String

    public var description: String { "invalid RESP reply: \(reason)" }
}

/// Parses server replies (RESP2 and RESP3) incrementally; the client side of
/// the codec, used by `larder bench`, the import tool and tests.
///
/// A value is returned only once all its bytes are buffered. An incomplete
/// value is reparsed from its first byte when more bytes arrive, which is
/// cheap for the small replies a client reads.
public struct RESPReplyParser: Sendable {
    private var buffer: [UInt8] = []
    private var readIndex = 0

    public init() {}

    /// Bytes received but not yet returned.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// Adds received bytes.
    public mutating func append<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        if readIndex > 0, readIndex * 2 >= buffer.count {
            buffer.removeSubrange(0..<readIndex)
            readIndex = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Returns the next complete reply, or nil when more bytes are needed.
    public mutating func next() throws -> RESPValue? {
        var cursor = readIndex
        guard let value = try parseValue(&cursor) else { return nil }
        readIndex = cursor
        return value
    }

    // MARK: - Values

    private func parseValue(_ cursor: inout Int) throws -> RESPValue? {
        guard cursor < buffer.count else { return nil }
        let marker = buffer[cursor]
        var position = cursor + 1
        guard let line = readLine(&position) else { return nil }
        let text = String(decoding: line, as: UTF8.self)
        let value: RESPValue?

        switch marker {
        case UInt8(ascii: "+"): value = .simpleString(text)
        case UInt8(ascii: "-"): value = .error(text)
        case UInt8(ascii: ":"): value = .integer(try number(text))
        case UInt8(ascii: "_"): value = .null
        case UInt8(ascii: "#"): value = .boolean(text == "t")
        case UInt8(ascii: ","): value = .double(try double(text))
        case UInt8(ascii: "("): value = .bigNumber(text)
        case UInt8(ascii: "$"), UInt8(ascii: "!"), UInt8(ascii: "="):
            let length = try number(text)
            if length < 0 {
                value = .null
                break
            }
            guard let bytes = readBytes(&position, count: Int(length)) else { return nil }
            switch marker {
            case UInt8(ascii: "!"): value = .error(String(decoding: bytes, as: UTF8.self))
            case UInt8(ascii: "="):
                let body = String(decoding: bytes, as: UTF8.self)
                value = .verbatimString(format: String(body.prefix(3)), text: String(body.dropFirst(4)))
            default: value = .bulkString(bytes)
            }
        case UInt8(ascii: "*"), UInt8(ascii: "~"), UInt8(ascii: ">"):
            let count = try number(text)
            if count < 0 {
                value = .nullArray
                break
            }
            guard let elements = try parseElements(&position, count: Int(count)) else { return nil }
            value = marker == UInt8(ascii: "~") ? .set(elements) : .array(elements)
        case UInt8(ascii: "%"):
            let count = try number(text)
            guard let elements = try parseElements(&position, count: Int(count) * 2) else { return nil }
            value = .map(stride(from: 0, to: elements.count, by: 2).map {
                RESPMapEntry(elements[$0], elements[$0 + 1])
            })
        default:
            throw RESPReplyError(reason: "unknown type byte \(marker) at offset \(cursor)")
        }
        cursor = position
        return value
    }

    private func parseElements(_ cursor: inout Int, count: Int) throws -> [RESPValue]? {
        var elements: [RESPValue] = []
        elements.reserveCapacity(min(count, 4096))
        for _ in 0..<count {
            guard let element = try parseValue(&cursor) else { return nil }
            elements.append(element)
        }
        return elements
    }

    // MARK: - Pieces

    private func readLine(_ cursor: inout Int) -> ArraySlice<UInt8>? {
        var index = cursor
        while index + 1 < buffer.count {
            if buffer[index] == 13, buffer[index + 1] == 10 {
                let line = buffer[cursor..<index]
                cursor = index + 2
                return line
            }
            index += 1
        }
        return nil
    }

    private func readBytes(_ cursor: inout Int, count: Int) -> [UInt8]? {
        guard buffer.count - cursor >= count + 2 else { return nil }
        let bytes = Array(buffer[cursor..<(cursor + count)])
        cursor += count + 2
        return bytes
    }

    private func number(_ text: String) throws -> Int64 {
        guard let value = Int64(text) else { throw RESPReplyError(reason: "invalid integer '\(text)'") }
        return value
    }

    private func double(_ text: String) throws -> Double {
        switch text {
        case "inf": return .infinity
        case "-inf": return -.infinity
        case "nan": return .nan
        default:
            guard let value = Double(text) else { throw RESPReplyError(reason: "invalid double '\(text)'") }
            return value
        }
    }
}
