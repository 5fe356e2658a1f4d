import Foundation

/// Output of the command-line tool: results go to standard output and
/// messages for the user to standard error. Library code logs through
/// `LarderLog` instead.
enum Console {
    /// Writes a line of results to standard output.
    static func out(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// Writes a message to standard error.
    static func err(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
