import LarderArguments

/// One `larder` subcommand. Each lives in its own `*Command.swift` file and is
/// listed in `allSubcommands`.
protocol Subcommand: Sendable {
    /// Name typed after `larder`.
    static var name: String { get }
    /// One-line description for `larder --help`.
    static var summary: String { get }
    /// Parses `arguments` (those after the name) and runs; returns the exit status.
    static func run(_ arguments: [String]) throws -> Int32
}

/// Every subcommand, in the order `larder --help` lists them.
let allSubcommands: [any Subcommand.Type] = [
    VersionCommand.self,
    ServeCommand.self,
    BenchCommand.self,
    ImportCommand.self,
    ImportVectorsCommand.self,
    QueryCommand.self,
    EvalCommand.self,
    EncodeCommand.self,
    TrainCommand.self,
    BenchmarkImageCommand.self,
]

/// Prints the version.
enum VersionCommand: Subcommand {
    static let name = "version"
    static let summary = "Print Larder's version."
    static let version = "0.1.0"

    static func run(_ arguments: [String]) throws -> Int32 {
        _ = try CommandSpec(name: name, summary: summary).parse(arguments)
        Console.out("larder \(version)")
        return 0
    }
}
