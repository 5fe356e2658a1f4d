/// Writes RESP values as wire bytes for one protocol version.
///
/// RESP3 kinds fall back to their RESP2 forms when `version` is `.resp2`:
/// maps become flat arrays, doubles bulk strings, booleans integers and
/// null the null bulk string (`$-1`), as Redis does.
public struct RESPEncoder: Sendable {
    /// Protocol version of the connection the bytes are for.
    public var version: RESPVersion

    public init(version: RESPVersion = .resp2) {
        self.version = version
    }

    /// Appends the wire form of `value` to `buffer`.
    public func encode(_ value: RESPValue, into buffer: inout [UInt8]) {
        switch value {
        case .simpleString(let text):
            buffer.append(UInt8(ascii: "+"))
            appendLine(sanitized(text), to: &buffer)
        case .error(let text):
            buffer.append(UInt8(ascii: "-"))
            appendLine(sanitized(text), to: &buffer)
        case .integer(let number):
            buffer.append(UInt8(ascii: ":"))
            appendLine(String(number), to: &buffer)
        case .bulkString(let bytes):
            appendBulk(bytes, to: &buffer)
        case .null:
            appendNull(to: &buffer, resp2: "$-1")
        case .nullArray:
            appendNull(to: &buffer, resp2: "*-1")
        case .array(let elements):
            appendHeader("*", count: elements.count, to: &buffer)
            for element in elements { encode(element, into: &buffer) }
        case .set(let elements):
            appendHeader(version == .resp3 ? "~" : "*", count: elements.count, to: &buffer)
            for element in elements { encode(element, into: &buffer) }
        case .map(let entries):
            if version == .resp3 {
                appendHeader("%", count: entries.count, to: &buffer)
            } else {
                appendHeader("*", count: entries.count * 2, to: &buffer)
            }
            for entry in entries {
                encode(entry.key, into: &buffer)
                encode(entry.value, into: &buffer)
            }
        case .double(let number):
            let text = RESPEncoder.format(number)
            if version == .resp3 {
                buffer.append(UInt8(ascii: ","))
                appendLine(text, to: &buffer)
            } else {
                appendBulk(Array(text.utf8), to: &buffer)
            }
        case .boolean(let flag):
            if version == .resp3 {
                appendLine(flag ? "#t" : "#f", to: &buffer)
            } else {
                appendLine(flag ? ":1" : ":0", to: &buffer)
            }
        case .verbatimString(let format, let text):
            if version == .resp3 {
                let payload = Array((format + ":" + text).utf8)
                appendHeader("=", count: payload.count, to: &buffer)
                buffer.append(contentsOf: payload)
                buffer.append(contentsOf: RESPEncoder.crlf)
            } else {
                appendBulk(Array(text.utf8), to: &buffer)
            }
        case .bigNumber(let digits):
            if version == .resp3 {
                buffer.append(UInt8(ascii: "("))
                appendLine(digits, to: &buffer)
            } else {
                appendBulk(Array(digits.utf8), to: &buffer)
            }
        }
    }

    /// Returns the wire form of `value`.
    public func encode(_ value: RESPValue) -> [UInt8] {
        var buffer: [UInt8] = []
        encode(value, into: &buffer)
        return buffer
    }

    /// Encodes a request as a RESP array of bulk strings, the form clients send.
    public static func encodeCommand(_ arguments: [[UInt8]], into buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "*"))
        buffer.append(contentsOf: Array(String(arguments.count).utf8))
        buffer.append(contentsOf: crlf)
        for argument in arguments {
            buffer.append(UInt8(ascii: "$"))
            buffer.append(contentsOf: Array(String(argument.count).utf8))
            buffer.append(contentsOf: crlf)
            buffer.append(contentsOf: argument)
            buffer.append(contentsOf: crlf)
        }
    }

    /// Formats a double the way Redis replies do: the shortest text that
    /// round-trips, with `inf`, `-inf` and `nan` for the special values.
    public static func format(_ number: Double) -> String {
        if number.isNaN { return "nan" }
        if number.isInfinite { return number > 0 ? "inf" : "-inf" }
        if number == number.rounded(), abs(number) < 1e15 { return String(Int64(number)) }
        return "\(number)"
    }

    // MARK: - Pieces

    static let crlf: [UInt8] = [13, 10]

    private func appendLine(_ text: String, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: text.utf8)
        buffer.append(contentsOf: RESPEncoder.crlf)
    }

    private func appendHeader(_ marker: Character, count: Int, to buffer: inout [UInt8]) {
        buffer.append(marker.asciiValue!)
        appendLine(String(count), to: &buffer)
    }

    private func appendBulk(_ bytes: [UInt8], to buffer: inout [UInt8]) {
        appendHeader("$", count: bytes.count, to: &buffer)
        buffer.append(contentsOf: bytes)
        buffer.append(contentsOf: RESPEncoder.crlf)
    }

    private func appendNull(to buffer: inout [UInt8], resp2: String) {
        appendLine(version == .resp3 ? "_" : resp2, to: &buffer)
    }

    /// Simple strings and errors cannot contain CR or LF; they become spaces
    /// so that a message quoting client input cannot break the framing.
    private func sanitized(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 13 || $0 == 10 }) else { return text }
        return String(decoding: text.utf8.map { $0 == 13 || $0 == 10 ? 32 : $0 }, as: UTF8.self)
    }
}
