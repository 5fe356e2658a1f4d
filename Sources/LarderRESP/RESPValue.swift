/// The RESP protocol version a connection speaks. RESP2 is the default; a
/// client switches to RESP3 with `HELLO 3`.
public enum RESPVersion: Int, Sendable, Equatable {
    case resp2 = 2
    case resp3 = 3
}

/// One RESP value, as sent in a reply (or read back by a client).
///
/// The RESP3-only kinds (`map`, `set`, `double`, `boolean`, `null`) are
/// encoded in their RESP2 form when the connection speaks RESP2, so command
/// code builds one value and the encoder picks the wire form.
public enum RESPValue: Sendable, Equatable {
    /// `+OK`: a short status line without CR or LF.
    case simpleString(String)
    /// `-ERR message`: the first word is the error code.
    case error(String)
    /// `:42`.
    case integer(Int64)
    /// `$5\r\nhello`: binary-safe bytes.
    case bulkString([UInt8])
    /// The null value: `_` in RESP3, `$-1` in RESP2.
    case null
    /// `*-1` in RESP2 and `_` in RESP3: a missing array.
    case nullArray
    /// `*N` followed by N values.
    case array([RESPValue])
    /// `%N`: key-value pairs in order. RESP2 sends a flat array of 2N values.
    case map([RESPMapEntry])
    /// `~N`: an unordered collection. RESP2 sends an array.
    case set([RESPValue])
    /// `,3.14`. RESP2 sends the number as a bulk string.
    case double(Double)
    /// `#t` or `#f`. RESP2 sends the integer 1 or 0.
    case boolean(Bool)
    /// `=N\r\ntxt:...`: text with a three-letter format. RESP2 sends a bulk string.
    case verbatimString(format: String, text: String)
    /// `(1234...`: an integer of any size, as decimal digits.
    case bigNumber(String)

    /// A bulk string holding the UTF-8 bytes of `text`.
    public static func bulk(_ text: String) -> RESPValue { .bulkString(Array(text.utf8)) }

    /// `+OK`.
    public static let ok = RESPValue.simpleString("OK")

    /// The bytes of a bulk or simple string, or nil for other kinds.
    public var bytes: [UInt8]? {
        switch self {
        case .bulkString(let bytes): return bytes
        case .simpleString(let text): return Array(text.utf8)
        case .verbatimString(_, let text): return Array(text.utf8)
        default: return nil
        }
    }

    /// The text of a bulk or simple string decoded as UTF-8, or nil for other kinds.
    public var string: String? {
        bytes.map { String(decoding: $0, as: UTF8.self) }
    }
}

/// One key-value pair of a RESP3 map.
public struct RESPMapEntry: Sendable, Equatable {
    public var key: RESPValue
    public var value: RESPValue

    public init(_ key: RESPValue, _ value: RESPValue) {
        self.key = key
        self.value = value
    }
}
