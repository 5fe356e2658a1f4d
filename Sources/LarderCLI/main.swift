import Foundation
import LarderArguments

// Entry point: `larder SUBCOMMAND [options]`.

func usage() -> String {
    var lines = ["usage: larder SUBCOMMAND [options]", "", "subcommands:"]
    let width = allSubcommands.map { $0.name.count }.max() ?? 0
    for command in allSubcommands {
        lines.append("  " + command.name + String(repeating: " ", count: width + 2 - command.name.count) + command.summary)
    }
    lines.append("")
    lines.append("Run 'larder SUBCOMMAND --help' for the options of one subcommand.")
    return lines.joined(separator: "\n")
}

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments == ["--version"] {
    Console.out("larder \(VersionCommand.version)")
    exit(0)
}
guard let name = arguments.first, name != "--help", name != "-h", name != "help" else {
    Console.out(usage())
    exit(arguments.isEmpty ? 2 : 0)
}
guard let command = allSubcommands.first(where: { $0.name == name }) else {
    Console.err("larder: unknown subcommand '\(name)'\n\n" + usage())
    exit(2)
}

do {
    exit(try command.run(Array(arguments.dropFirst())))
} catch ArgumentError.helpRequested(let text) {
    Console.out(text)
    exit(0)
} catch let error as ArgumentError {
    Console.err("larder \(name): \(error)")
    exit(2)
} catch let error as ConfigFileError {
    Console.err("larder \(name): \(error)")
    exit(2)
} catch {
    Console.err("larder \(name): \(error)")
    exit(1)
}
