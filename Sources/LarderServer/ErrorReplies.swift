/// Turns errors from the layers below (index, storage, filter, encoders) into reply text.
enum ErrorReplies {
    /// The error's own reply text for a `CommandError` or `ReplyCodedError`,
    /// else `ERR <description>`.
    static func describe(_ error: Error) -> String {
        if let command = error as? CommandError { return command.description }
        if let coded = error as? ReplyCodedError { return "\(coded.code) \(coded.message)" }
        return "ERR \(error)"
    }
}

/// An error that chooses its reply's error code, such as `BUSY` for a full
/// encoder queue, so clients can tell a retryable condition from a bad request.
public struct ReplyCodedError: Error, Equatable, CustomStringConvertible {
    /// The first word of the error reply, upper case (`BUSY`, `ERR`, ...).
    public let code: String
    /// The rest of the reply.
    public let message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code) \(message)" }
}
