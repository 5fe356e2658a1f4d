import Foundation
import LarderArguments
import LarderModels
import LarderText

/// `larder encode`: prints the embeddings of recipes or of a photo as JSON arrays.
///
/// With a model, a vector is the model's output in the shared space. For a
/// photo without `--model` and without a bundled model, the pooled features
/// of a pretrained backbone are printed, which is useful before any model is
/// trained (see EncodeCommand+Image.swift).
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
        spec.option("backbone", metavar: "NAME",
                    help: "For --image without a model: pretrained backbone whose pooled features to print ("
                        + ImageBackboneKind.allCases.map(\.rawValue).joined(separator: ", ") + ").",
                    default: ImageBackboneKind.standard.rawValue)
        spec.option("model", metavar: "PATH",
                    help: "Larder model file (safetensors); default $\(LarderModel.pathEnvironmentVariable) or \(LarderModel.defaultPath).")
        return spec
    }

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try makeSpec().parse(arguments)
        let modelPath = parsed.string("model") ?? BundledModel.locate()?.path ?? LarderModel.resolvedDefaultPath()
        let recipes: [RecipeText]
        switch (parsed.string("recipe"), parsed.string("recipes"), parsed.string("image")) {
        case (let path?, nil, nil):
            recipes = [try RecipeText(json: try readFile(path))]
        case (nil, let path?, nil):
            recipes = try readLines(path)
        case (nil, nil, let path?):
            return try encodeImage(at: path, parsed)
        default:
            throw ArgumentError.missingArgument("input: give a recipe FILE, --recipes FILE or --image FILE (exactly one of them)")
        }
        let batchSize = try parsed.integer("batch-size", in: 1...4096)!

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
        Console.out(lines.joined(separator: "\n"))
        if parsed.flag("timing") {
            Console.err(EncodeTiming(latencies: latencies, recipes: recipes.count, batchSize: batchSize,
                                     loadTime: loadTime).summary)
        }
        return 0
    }

    /// Formats floats as a JSON array with the shortest representation that round-trips.
    static func jsonArray(_ values: [Float]) -> String {
        "[" + values.map { $0.isFinite ? "\($0)" : "null" }.joined(separator: ",") + "]"
    }

    private static func readFile(_ path: String) throws -> Data {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EncodeError.unreadableFile(path)
        }
        return data
    }

    private static func readLines(_ path: String) throws -> [RecipeText] {
        let text = String(decoding: try readFile(path), as: UTF8.self)
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
}

/// Latency and memory figures of one `larder encode --timing` run.
struct EncodeTiming {
    var latencies: [Duration]
    var recipes: Int
    var batchSize: Int
    var loadTime: Duration

    var summary: String {
        let milliseconds = latencies.map { Double($0.components.attoseconds) / 1e15 + Double($0.components.seconds) * 1e3 }
            .sorted()
        guard !milliseconds.isEmpty else { return "timing: no recipes encoded" }
        let median = milliseconds[milliseconds.count / 2]
        let p90 = milliseconds[min(milliseconds.count - 1, Int(Double(milliseconds.count) * 0.9))]
        let total = milliseconds.reduce(0, +)
        let load = Double(loadTime.components.seconds) + Double(loadTime.components.attoseconds) / 1e18
        return String(format: "timing: %d recipes in %d batches of up to %d: median batch %.2f ms, p90 %.2f ms, "
                      + "%.1f recipes/s, peak RSS %.0f MiB, model load %.2f s",
                      recipes, milliseconds.count, batchSize, median, p90, Double(recipes) / (total / 1000),
                      peakResidentMebibytes(), load)
    }

    /// Peak resident set size of this process (`getrusage`, kilobytes on Linux).
    private func peakResidentMebibytes() -> Double {
        var usage = rusage()
        #if os(Linux)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        return Double(usage.ru_maxrss) / 1024
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
