import Foundation
import LarderArguments
import LarderModels
import LarderText

/// `larder encode`: prints the vector of a recipe as a JSON array.
enum EncodeCommand: Subcommand {
    static let name = "encode"
    static let summary = "Print the embedding of a recipe as a JSON array."

    static func makeSpec() -> CommandSpec {
        var spec = CommandSpec(name: name, summary: summary)
        spec.option("recipe", metavar: "FILE",
                    help: "Recipe JSON file with title (string), ingredients and instructions (string arrays).")
        spec.option("model", metavar: "PATH",
                    help: "Larder model file (safetensors); default $\(LarderModel.pathEnvironmentVariable) or \(LarderModel.defaultPath).")
        return spec
    }

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try makeSpec().parse(arguments)
        guard let recipePath = parsed.string("recipe") else {
            throw ArgumentError.missingRequired("recipe")
        }
        let modelPath = parsed.string("model") ?? LarderModel.resolvedDefaultPath()

        guard let data = FileManager.default.contents(atPath: recipePath) else {
            throw EncodeError.unreadableFile(recipePath)
        }
        let recipe = try RecipeText(json: data)
        let model = try LarderModel(contentsOf: URL(fileURLWithPath: modelPath))
        let vector = try model.encode([recipe])
        Console.out(jsonArray(vector.scalars))
        return 0
    }

    /// Formats floats as a JSON array with the shortest representation that round-trips.
    static func jsonArray(_ values: [Float]) -> String {
        "[" + values.map { $0.isFinite ? "\($0)" : "null" }.joined(separator: ",") + "]"
    }
}

/// An input file of `larder encode` that cannot be read.
enum EncodeError: Error, CustomStringConvertible {
    case unreadableFile(String)

    var description: String {
        switch self {
        case .unreadableFile(let path):
            return "cannot read file \(path): it does not exist or is not readable"
        }
    }
}
