import Foundation
import LarderArguments
import LarderImage
import LarderModels
import LarderTensor
import LarderText

/// `larder encode`: prints the embedding of a recipe or a photo as a JSON
/// array, or of each recipe of a JSONL file, one array a line.
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
        spec.option("recipes", metavar: "FILE",
                    help: "JSONL file of recipes, one per line; prints one JSON array per line.")
        spec.option("batch-size", metavar: "N", help: "Recipes encoded together with --recipes.", default: "32")
        spec.flag("timing", help: "With --recipes, report batch latency, throughput and peak memory on standard error.")
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
        case (nil, nil) where parsed.string("recipes") != nil:
            try encodeRecipeLines(parsed.string("recipes")!, parsed)
        case (let recipePath?, nil) where parsed.string("recipes") == nil:
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
            throw ArgumentError.invalidValue(option: "recipe/--recipes/--image", value: "",
                                             expected: "exactly one of --recipe FILE, --recipes FILE or --image FILE")
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

    /// Encodes every recipe of a JSONL file in batches, printing one vector a line.
    private static func encodeRecipeLines(_ path: String, _ parsed: ParsedArguments) throws {
        let recipes = try readLines(path)
        let batchSize = try parsed.integer("batch-size", in: 1...4096)!
        let modelPath = parsed.string("model") ?? LarderModel.resolvedDefaultPath()

        let loadStart = ContinuousClock.now
        let model = try LarderModel(contentsOf: URL(fileURLWithPath: modelPath))
        let loadTime = ContinuousClock.now - loadStart
        let tokenizer = model.tokenizer
        let tokenized = recipes.map(tokenizer.tokenize)

        var latencies: [Duration] = []
        var lines: [String] = []
        for start in stride(from: 0, to: tokenized.count, by: batchSize) {
            let batch = Array(tokenized[start..<min(start + batchSize, tokenized.count)])
            let batchStart = ContinuousClock.now
            let vectors = try model.recipeEncoder.encode(batch)
            latencies.append(ContinuousClock.now - batchStart)
            let width = vectors.shape[1]
            for row in 0..<batch.count {
                lines.append(jsonArray(Array(vectors.scalars[(row * width)..<((row + 1) * width)])))
            }
        }
        if !lines.isEmpty { Console.out(lines.joined(separator: "\n")) }
        if parsed.flag("timing") {
            Console.err(EncodeTiming(latencies: latencies, recipes: recipes.count, batchSize: batchSize,
                                     loadTime: loadTime).summary)
        }
    }

    private static func readLines(_ path: String) throws -> [RecipeText] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EncodeError.unreadableFile(path)
        }
        let text = String(decoding: data, as: UTF8.self)
        var recipes: [RecipeText] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.allSatisfy(\.isWhitespace) {
            do {
                recipes.append(try RecipeText(json: Data(line.utf8)))
            } catch let error as RecipeTextError {
                throw EncodeError.invalidLine(path: path, line: index + 1, error)
            }
        }
        return recipes
    }

    /// Formats floats as a JSON array with the shortest representation that round-trips.
    static func jsonArray(_ values: [Float]) -> String {
        "[" + values.map { $0.isFinite ? "\($0)" : "null" }.joined(separator: ",") + "]"
    }
}

/// An input file of `larder encode` that cannot be read.
enum EncodeError: Error, CustomStringConvertible {
    case unreadableFile(String)
    case invalidLine(path: String, line: Int, RecipeTextError)

    var description: String {
        switch self {
        case .unreadableFile(let path):
            return "cannot read file \(path): it does not exist or is not readable"
        case .invalidLine(let path, let line, let error):
            return "\(path), line \(line): \(error)"
        }
    }
}
