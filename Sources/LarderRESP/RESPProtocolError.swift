/// A request that breaks the RESP framing rules or a configured limit.
///
/// After any of these the parser cannot find the start of the next request,
/// so the server sends the message as `-ERR Protocol error: ...` and closes
/// the connection, as Redis does.
public enum RESPProtocolError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A `*` header whose count is not a number or is above the limit.
    case invalidMultibulkLength(String, maximum: Int)
    /// A `$` header whose length is not a number, is negative or is above the limit.
    case invalidBulkLength(String, maximum: Int)
    /// A request array element that does not start with `$`.
    case expectedBulkString(found: UInt8)
    /// A bulk string not followed by CRLF.
    case missingBulkTerminator
    /// An inline command line longer than the limit.
    case inlineTooLong(maximum: Int)
    /// A `*` or `$` header line longer than any valid header.
    case headerTooLong
    /// An inline command with an unterminated quoted argument.
    case unbalancedQuotes
    /// More bytes buffered for one request than the query buffer limit.
    case queryBufferExceeded(maximum: Int)

    public var description: String {
        switch self {
        case .invalidMultibulkLength(let text, let maximum):
            return "Protocol error: invalid multibulk length '\(text)'; send a count from 0 to \(maximum)"
        case .invalidBulkLength(let text, let maximum):
            return "Protocol error: invalid bulk length '\(text)'; send a length from 0 to \(maximum) bytes "
                + "(the server's max-bulk-length)"
        case .expectedBulkString(let byte):
            return "Protocol error: expected '$', got '\(RESPProtocolError.printable(byte))'"
        case .missingBulkTerminator:
            return "Protocol error: bulk string not followed by CRLF; check the declared length"
        case .inlineTooLong(let maximum):
            return "Protocol error: too big inline request (over \(maximum) bytes); send large "
                + "arguments as a RESP array of bulk strings"
        case .headerTooLong:
            return "Protocol error: too big multibulk or bulk header"
        case .unbalancedQuotes:
            return "Protocol error: unbalanced quotes in request"
        case .queryBufferExceeded(let maximum):
            return "Protocol error: query buffer over \(maximum) bytes; send smaller requests"
        }
    }

    private static func printable(_ byte: UInt8) -> String {
        (0x21...0x7e).contains(byte) ? String(UnicodeScalar(byte)) : "\\x" + String(byte, radix: 16)
    }
}

/// Limits that protect the server from oversized or endless requests.
public struct RESPLimits: Sendable, Equatable {
    /// Longest inline command line, in bytes (Redis uses 64 KiB).
    public var maxInlineLength: Int
    /// Largest bulk string, in bytes. It must hold the largest photo a client uploads.
    public var maxBulkLength: Int
    /// Most arguments in one request.
    public var maxArguments: Int
    /// Most bytes buffered for a request that is not yet complete.
    public var maxQueryBuffer: Int

    public init(maxInlineLength: Int = 64 * 1024, maxBulkLength: Int = 64 * 1024 * 1024,
                maxArguments: Int = 1024 * 1024, maxQueryBuffer: Int = 256 * 1024 * 1024) {
        self.maxInlineLength = maxInlineLength
        self.maxBulkLength = maxBulkLength
        self.maxArguments = maxArguments
        self.maxQueryBuffer = maxQueryBuffer
    }
}
