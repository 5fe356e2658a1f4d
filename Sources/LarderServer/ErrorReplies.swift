/// Turns errors from the layers below (index, storage, filter) into reply text.
enum ErrorReplies {
    /// `ERR <description>` for any error that is not already a `CommandError`.
    static func describe(_ error: Error) -> String {
        if let command = error as? CommandError { return command.description }
        return "ERR \(error)"
    }
}
