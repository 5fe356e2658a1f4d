import Foundation
import LarderArguments
import LarderLog
import LarderModels
import LarderTraining

/// `larder train`: trains the recipe encoder, its projection heads and the
/// image projection on a data folder, and writes the best model by R@1.
enum TrainCommand: Subcommand {
    static let name = "train"
    static let summary = "Train a model on recipes and image-recipe pairs (method of Salvador et al., CVPR 2021)."

    static var spec: CommandSpec {
        var spec = CommandSpec(name: name, summary: summary)
        spec.option("data", metavar: "DIR",
                    help: "Folder with pairs.jsonl, optionally recipes.jsonl, and the photos pairs.jsonl names; "
                        + "or Recipe1M's layer1.json, layer2.json and images/ (train partition trained on, val held out).",
                    required: true)
        spec.option("out", metavar: "MODEL", help: "Model file to write (the best epoch by R@1).")
        spec.option("config", metavar: "FILE", help: "JSON training configuration; absent keys keep their defaults (docs/model-card.md).")
        spec.option("feature-cache", metavar: "DIR", help: "Cache of frozen backbone features; default: MODEL.features next to the model.")
        spec.option("backbone", metavar: "NAME", help: "Frozen image backbone: "
                    + ImageBackboneKind.allCases.map(\.rawValue).joined(separator: ", ") + ".",
                    default: ImageBackboneKind.standard.rawValue)
        spec.option("backbone-weights", metavar: "FILE",
                    help: "Backbone checkpoint (.pth); default: the cached ImageNet weights that scripts/fetch-backbone.sh downloads.")
        spec.flag("resume", help: "Continue from MODEL.checkpoint when it exists.")
        spec.flag("fp16", help: "Store the model's tensors as fp16 (half the file size).")
        spec.option("benchmark", metavar: "FILE",
                    help: "Instead of training: write fixed batches from DIR/recipes.jsonl to FILE and time training steps on them.")
        spec.option("steps", metavar: "COUNT", help: "Updates in --benchmark mode.", default: "12")
        return spec
    }

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try spec.parse(arguments)
        let data = URL(fileURLWithPath: parsed.string("data")!)
        var configuration = TrainingConfiguration()
        if let path = parsed.string("config") {
            configuration = try TrainingConfiguration.read(URL(fileURLWithPath: path))
        }

        if let benchmark = parsed.string("benchmark") {
            let steps = try parsed.integer("steps", in: 3...100_000) ?? 12
            return try runBenchmark(data: data, output: URL(fileURLWithPath: benchmark),
                                    configuration: configuration, steps: steps)
        }

        guard let out = parsed.string("out") else { throw ArgumentError.missingRequired("out") }
        let output = URL(fileURLWithPath: out)
        let cacheDirectory = parsed.string("feature-cache").map { URL(fileURLWithPath: $0) }
            ?? output.appendingPathExtension("features")
        let kindName = try parsed.choice("backbone", from: ImageBackboneKind.allCases.map(\.rawValue))
            ?? ImageBackboneKind.standard.rawValue
        let extractor = try BackboneFeatureExtractor(kind: ImageBackboneKind(rawValue: kindName)!,
                                                     weights: parsed.string("backbone-weights").map { URL(fileURLWithPath: $0) })
        let cache = try ImageFeatureCache(directory: cacheDirectory, extractor: extractor)
        let run = TrainingRun(dataDirectory: data, output: output, configuration: configuration,
                              backbone: kindName, halfPrecision: parsed.flag("fp16"))
        let summary = try run.run(features: cache, resume: parsed.flag("resume"))

        Console.out("trained on \(summary.trainPairs) pairs and \(summary.textOnlyRecipes) text-only recipes; "
                    + "\(summary.heldOutPairs) pairs held out")
        Console.out("vocabulary \(summary.vocabularySize) tokens, \(summary.parameterCount) trainable parameters")
        Console.out(String(format: "%.1f recipes/s over %.0f s", summary.recipesPerSecond, summary.seconds))
        if !summary.bestReports.isEmpty {
            Console.out(RetrievalTable.render(summary.bestReports, pairCount: summary.heldOutPairs))
        }
        Console.out("model: \(output.path)")
        Console.out("held-out embeddings: \(run.heldOutEmbeddings.path)")
        return 0
    }

    /// Width of EfficientNet-Lite features (its 1280-channel head), used for the benchmark's random features.
    static let imageFeatureSize = 1280

    private static func runBenchmark(data: URL, output: URL, configuration: TrainingConfiguration, steps: Int) throws -> Int32 {
        let recipes = try DataReader.recipes(jsonLines: data.appendingPathComponent("recipes.jsonl"))
        let batches = BenchmarkBatches.make(recipes: recipes, configuration: configuration, steps: steps,
                                            imageFeatureSize: imageFeatureSize)
        try JSONEncoder().encode(batches).write(to: output, options: .atomic)
        let timing = try batches.time()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        Console.out(String(decoding: try encoder.encode(timing), as: UTF8.self))
        return 0
    }
}
