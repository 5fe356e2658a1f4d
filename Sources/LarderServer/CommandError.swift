/// A command that cannot run as sent. Each case becomes one RESP error reply
/// whose first word is the Redis error code (`ERR`, `WRONGTYPE`, `NOAUTH`, ...).
public enum CommandError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownCommand(String, arguments: [String])
    case wrongArgumentCount(command: String)
    case syntax(String)
    case notInteger(option: String, value: String)
    case notFloat(option: String, value: String)
    case outOfRange(option: String, value: String, range: String)
    case noAuthentication
    case unsupportedProtocol(String)
    case wrongPassword
    case noPasswordConfigured
    case keyNotFound(String)
    case elementNotFound(key: String, element: String)
    case dimensionMismatch(key: String, expected: Int, got: Int)
    case quantizationMismatch(key: String, existing: String, requested: String)
    case invalidVector(String)
    case invalidAttributes(String)
    case invalidFilter(String)
    case unsupported(String)
    case internalError(String)

    /// The reply text: error code first, then the message.
    public var description: String {
        switch self {
        case .unknownCommand(let name, let arguments):
            let shown = arguments.prefix(3).map { "'\($0.prefix(64))'" }.joined(separator: " ")
            return "ERR unknown command '\(name.prefix(128))', with args beginning with: \(shown)"
        case .wrongArgumentCount(let command):
            return "ERR wrong number of arguments for '\(command.lowercased())' command"
        case .syntax(let detail):
            return "ERR syntax error: \(detail)"
        case .notInteger(let option, let value):
            return "ERR invalid \(option) '\(value.prefix(64))': value is not an integer or out of range"
        case .notFloat(let option, let value):
            return "ERR invalid \(option) '\(value.prefix(64))': value is not a valid float"
        case .outOfRange(let option, let value, let range):
            return "ERR invalid \(option) '\(value.prefix(64))': must be \(range)"
        case .unsupportedProtocol(let text):
            return "NOPROTO unsupported protocol version '\(text.prefix(32))'; use 2 or 3"
        case .noAuthentication:
            return "NOAUTH Authentication required."
        case .wrongPassword:
            return "WRONGPASS invalid username-password pair or user is disabled."
        case .noPasswordConfigured:
            return "ERR AUTH <password> called without any password configured for the default user; "
                + "start the server with --requirepass to use AUTH"
        case .keyNotFound(let key):
            return "ERR key '\(key.prefix(128))' does not exist"
        case .elementNotFound(let key, let element):
            return "ERR element '\(element.prefix(128))' not found in set '\(key.prefix(128))'"
        case .dimensionMismatch(let key, let expected, let got):
            return "ERR Vector dimension mismatch - got \(got) but set '\(key.prefix(128))' has \(expected)"
        case .quantizationMismatch(let key, let existing, let requested):
            return "ERR quantization mismatch: set '\(key.prefix(128))' uses \(existing) but this VADD requested "
                + "\(requested); omit the option or give \(existing)"
        case .invalidVector(let detail):
            return "ERR invalid vector: \(detail)"
        case .invalidAttributes(let detail):
            return "ERR invalid JSON attributes: \(detail)"
        case .invalidFilter(let detail):
            return "ERR syntax error in FILTER expression: \(detail)"
        case .unsupported(let detail):
            return "ERR \(detail)"
        case .internalError(let detail):
            return "ERR internal error: \(detail)"
        }
    }
}
