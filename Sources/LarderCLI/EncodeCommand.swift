import Foundation
import LarderArguments
import LarderImage
import LarderModels
import LarderTensor
import LarderText

/// `larder encode`: prints the embedding of a recipe or a photo as a JSON array.
///
/// With a model, the vector is the model's output in the shared space. For a
/// photo without `--model` and without a bundled model, the pooled features
/// of a pretrained backbone are printed, which is useful before any model is
/// trained.
enum EncodeCommand: Subcommand {
    static let name = "encode"
    static let summary = "Print the embedding of a recipe or a photo as a JSON array."

    static func makeSpec() -> CommandSpec {
        var spec = CommandSpec(name: name, summary: summary)
        spec.option("recipe", metavar: "FILE",
                    help: "Recipe JSON file with title (string), ingredients and instructions (string arrays).")
        spec.option("image", metavar: "FILE", help: "Photo to encode (JPEG, PNG or WebP).")
        spec.option("model", metavar: "PATH",
                    help: "Larder model file (safetensors); default $\(LarderModel.pathEnvironmentVariable) or \(LarderModel.defaultPath).")
        spec.option("backbone", metavar: "NAME",
                    help: "For --image without a model: pretrained backbone whose pooled features to print ("
                        + ImageBackboneKind.allCases.map(\.rawValue).joined(separator: ", ") + ").",
                    default: ImageBackboneKind.standard.rawValue)
        return spec
    }

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try makeSpec().parse(arguments)
        switch (parsed.string("recipe"), parsed.string("image")) {
        case (let recipePath?, nil):
            let modelPath = parsed.string("model") ?? LarderModel.resolvedDefaultPath()
            guard let data = FileManager.default.contents(atPath: recipePath) else {
                throw EncodeError.unreadableFile(recipePath)
            }
            let recipe = try RecipeText(json: data)
            let model = try LarderModel(contentsOf: URL(fileURLWithPath: modelPath))
            Console.out(jsonArray(try model.encode([recipe]).scalars))
        case (nil, let imagePath?):
            let image = try ImageDecoder().decode(contentsOf: URL(fileURLWithPath: imagePath))
            Console.out(jsonArray(try encode(image, parsed).scalars))
        default:
            throw ArgumentError.invalidValue(option: "recipe/--image", value: "",
                                             expected: "exactly one of --recipe FILE or --image FILE")
        }
        return 0
    }

    private static func encode(_ image: RGBImage, _ parsed: ParsedArguments) throws -> Tensor {
        let modelPath = parsed.string("model")
            ?? (FileManager.default.fileExists(atPath: LarderModel.resolvedDefaultPath()) ? LarderModel.resolvedDefaultPath() : nil)
        if let modelPath {
            let encoder = try LarderModel(contentsOf: URL(fileURLWithPath: modelPath)).makeImageEncoder()
            return encoder.encode([image])
        }
        let name = try parsed.choice("backbone", from: ImageBackboneKind.allCases.map(\.rawValue))!
        let backbone = try ImageBackboneKind(rawValue: name)!.loadPretrained()
        Console.err("larder encode: no model found, printing the \(backbone.featureSize) pooled features of \(name)")
        return backbone.features(backbone.preprocessor.batch([image]))
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
