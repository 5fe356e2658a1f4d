import Foundation
import LarderArguments

/// The file of `--config FILE`: one `name value` per line (a bare name sets a
/// flag, `#` starts a comment), read as `--name value` arguments placed before
/// the command line's, so that command-line options win.
///
/// It remembers the line of each option, so that an error about a value from
/// the file names the file and the line to fix.
struct ConfigFile {
    /// The file as given on the command line.
    let path: String
    /// The options of the file as command-line arguments.
    private(set) var arguments: [String] = []
    /// Line number (from 1) of each option name, without its dashes.
    private var lines: [String: Int] = [:]

    /// Reads the file that `--config FILE` or `--config=FILE` in `commandLine` names.
    /// - Returns: nil when the command line has no `--config`.
    /// - Throws: `ArgumentError.invalidValue` when the file cannot be read as UTF-8 text.
    static func load(commandLine: [String]) throws -> ConfigFile? {
        var path: String?
        for (index, argument) in commandLine.enumerated() {
            if argument == "--config", index + 1 < commandLine.count { path = commandLine[index + 1] }
            if argument.hasPrefix("--config=") { path = String(argument.dropFirst("--config=".count)) }
        }
        guard let path else { return nil }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ArgumentError.invalidValue(option: "config", value: path, expected: "a readable UTF-8 file")
        }
        var file = ConfigFile(path: path)
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let words = content.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            guard let name = words.first else { continue }
            file.arguments.append("--" + name)
            file.lines[String(name)] = number + 1
            if words.count > 1 { file.arguments.append(words.dropFirst().joined(separator: " ")) }
        }
        return file
    }

    /// Returns `error` with this file's name and line when it concerns an
    /// option that only the file sets; otherwise returns `error` unchanged.
    func locate(_ error: ArgumentError, commandLine: [String]) -> Error {
        let option: String
        switch error {
        case .unknownOption(let name, _): option = String(name.drop(while: { $0 == "-" }))
        case .missingValue(let name): option = name
        case .invalidValue(let name, _, _): option = name
        default: return error
        }
        let onCommandLine = commandLine.contains { $0 == "--" + option || $0.hasPrefix("--\(option)=") }
        guard !onCommandLine, let line = lines[option] else { return error }
        return ConfigFileError(path: path, line: line, underlying: error)
    }
}

/// An option error located in a `--config` file.
struct ConfigFileError: Error, CustomStringConvertible {
    /// The file as given on the command line.
    let path: String
    /// Line number, from 1.
    let line: Int
    /// The problem with the option on that line.
    let underlying: ArgumentError

    var description: String { "\(path) line \(line): \(underlying); fix or remove that line" }
}
