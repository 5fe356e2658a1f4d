/// A small command-line parser for `larder SUBCOMMAND [options]`: long options
/// (`--port 7379` or `--port=7379`), boolean flags, repeatable options and
/// positional arguments, with generated help text and errors that name the
/// offending argument.
///
/// Usage: declare the options, call `parse`, then read typed values.
/// ```swift
/// var spec = CommandSpec(name: "serve", summary: "Run the server.")
/// spec.option("port", metavar: "PORT", help: "TCP port to listen on.", default: "7379")
/// let parsed = try spec.parse(arguments)
/// let port = try parsed.integer("port")
/// ```

// MARK: - Errors

/// A command-line error; its description is the message shown to the user.
public enum ArgumentError: Error, Equatable, CustomStringConvertible {
    case unknownOption(String, command: String)
    case missingValue(String)
    /// A required option is missing. A non-empty `hint` describes what to pass.
    case missingRequired(String, hint: String = "")
    /// A required positional argument, or one of several alternatives, is missing.
    /// The text names it and how to pass it.
    case missingArgument(String)
    case invalidValue(option: String, value: String, expected: String)
    case unexpectedPositional(String, command: String)
    case helpRequested(String)

    public var description: String {
        switch self {
        case .unknownOption(let name, let command):
            return "unknown option '\(name)' for 'larder \(command)'; run 'larder \(command) --help' to list the options"
        case .missingValue(let name):
            return "option '--\(name)' needs a value, for example '--\(name) VALUE'"
        case .missingRequired(let name, let hint):
            return "missing required option '--\(name)'" + (hint.isEmpty ? "" : ": \(hint)")
        case .missingArgument(let text):
            return "missing \(text)"
        case .invalidValue(let option, let value, let expected):
            return "invalid value '\(value)' for '--\(option)': expected \(expected)"
        case .unexpectedPositional(let value, let command):
            return "unexpected argument '\(value)' for 'larder \(command)'"
        case .helpRequested(let text):
            return text
        }
    }
}

// MARK: - Specification

/// The options and positional arguments that one subcommand accepts.
public struct CommandSpec: Sendable {
    struct Option: Sendable {
        let name: String
        let metavar: String?   // nil for a boolean flag
        let help: String
        let defaultValue: String?
        let required: Bool
        let repeatable: Bool
    }

    /// Subcommand name, as typed after `larder`.
    public let name: String
    /// One-line description shown in help.
    public let summary: String
    private(set) var options: [Option] = []
    /// Name of the positional arguments in help (for example `FILE...`), or nil when none are accepted.
    public var positionalName: String?

    public init(name: String, summary: String, positionalName: String? = nil) {
        self.name = name
        self.summary = summary
        self.positionalName = positionalName
    }

    /// Declares an option that takes a value.
    public mutating func option(_ name: String, metavar: String, help: String,
                                default defaultValue: String? = nil, required: Bool = false,
                                repeatable: Bool = false) {
        options.append(Option(name: name, metavar: metavar, help: help, defaultValue: defaultValue,
                              required: required, repeatable: repeatable))
    }

    /// Declares a boolean flag, false unless given.
    public mutating func flag(_ name: String, help: String) {
        options.append(Option(name: name, metavar: nil, help: help, defaultValue: nil,
                              required: false, repeatable: false))
    }

    /// Help text: usage line, summary and one line per option.
    public var helpText: String {
        var usage = "usage: larder \(name) [options]"
        if let positionalName { usage += " \(positionalName)" }
        var lines = [usage, "", summary, "", "options:"]
        let rendered = options.map { option -> (String, String) in
            var left = "  --\(option.name)"
            if let metavar = option.metavar { left += " \(metavar)" }
            var right = option.help
            if let value = option.defaultValue { right += " (default: \(value))" }
            if option.required { right += " (required)" }
            return (left, right)
        } + [("  --help", "Show this help and exit.")]
        let width = rendered.map(\.0.count).max() ?? 0
        for (left, right) in rendered {
            lines.append(left + String(repeating: " ", count: width + 2 - left.count) + right)
        }
        return lines.joined(separator: "\n")
    }

    // MARK: Parsing

    /// Parses the arguments that follow the subcommand name.
    /// - Throws: `ArgumentError`, including `.helpRequested` for `--help` or `-h`.
    public func parse(_ arguments: [String]) throws -> ParsedArguments {
        var values: [String: [String]] = [:]
        var flags: Set<String> = []
        var positionals: [String] = []
        var index = 0
        var onlyPositionals = false

        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if onlyPositionals || !argument.hasPrefix("-") || argument == "-" {
                guard positionalName != nil else {
                    throw ArgumentError.unexpectedPositional(argument, command: name)
                }
                positionals.append(argument)
                continue
            }
            if argument == "--" { onlyPositionals = true; continue }
            if argument == "--help" || argument == "-h" { throw ArgumentError.helpRequested(helpText) }

            var key = String(argument.drop(while: { $0 == "-" }))
            var inlineValue: String?
            if let equals = key.firstIndex(of: "=") {
                inlineValue = String(key[key.index(after: equals)...])
                key = String(key[..<equals])
            }
            guard let option = options.first(where: { $0.name == key }) else {
                throw ArgumentError.unknownOption(argument, command: name)
            }
            if option.metavar == nil {
                flags.insert(key)
                continue
            }
            let value: String
            if let inlineValue {
                value = inlineValue
            } else {
                guard index < arguments.count else { throw ArgumentError.missingValue(key) }
                value = arguments[index]
                index += 1
            }
            if option.repeatable {
                values[key, default: []].append(value)
            } else {
                values[key] = [value]
            }
        }

        for option in options where option.required && values[option.name] == nil {
            throw ArgumentError.missingRequired(option.name)
        }
        var defaults: [String: String] = [:]
        for option in options { defaults[option.name] = option.defaultValue }
        return ParsedArguments(values: values, defaults: defaults, flags: flags, positionals: positionals)
    }
}

// MARK: - Parsed values

/// The result of `CommandSpec.parse`, with typed accessors.
public struct ParsedArguments: Sendable {
    let values: [String: [String]]
    let defaults: [String: String]
    let flags: Set<String>
    /// Positional arguments in the order given.
    public let positionals: [String]

    /// The option's value, its default, or nil.
    public func string(_ name: String) -> String? {
        values[name]?.last ?? defaults[name]
    }

    /// Every value given for a repeatable option.
    public func strings(_ name: String) -> [String] {
        values[name] ?? defaults[name].map { [$0] } ?? []
    }

    /// Whether a boolean flag was given.
    public func flag(_ name: String) -> Bool {
        flags.contains(name)
    }

    /// The option's value as an integer in `range`, or nil when absent.
    public func integer(_ name: String, in range: ClosedRange<Int> = Int.min...Int.max) throws -> Int? {
        guard let text = string(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw ArgumentError.invalidValue(option: name, value: text,
                                             expected: "an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// The option's value as a finite number, or nil when absent.
    public func double(_ name: String) throws -> Double? {
        guard let text = string(name) else { return nil }
        guard let value = Double(text), value.isFinite else {
            throw ArgumentError.invalidValue(option: name, value: text, expected: "a number")
        }
        return value
    }

    /// The option's value, which must be one of `choices`, or nil when absent.
    public func choice(_ name: String, from choices: [String]) throws -> String? {
        guard let text = string(name) else { return nil }
        guard choices.contains(text) else {
            throw ArgumentError.invalidValue(option: name, value: text,
                                             expected: "one of " + choices.joined(separator: ", "))
        }
        return text
    }
}
