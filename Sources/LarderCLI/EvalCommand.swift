import Foundation
import LarderArguments
import LarderModels
import LarderTraining

/// `larder eval`: the cross-modal retrieval protocol (medR, Recall@1/5/10 in
/// both directions) on held-out image-recipe pairs.
enum EvalCommand: Subcommand {
    static let name = "eval"
    static let summary = "Measure image-to-recipe and recipe-to-image retrieval (medR, R@1/5/10)."

    static var spec: CommandSpec {
        var spec = CommandSpec(name: name, summary: summary)
        spec.option("model", metavar: "MODEL", help: "Larder model file to embed the pairs with (needs --pairs).")
        spec.option("pairs", metavar: "FILE",
                    help: "JSON Lines of recipes with an \"image\" path, relative to the file's folder or absolute.")
        spec.option("feature-cache", metavar: "DIR", help: "Cache of backbone features; default: MODEL.features.")
        spec.option("save-embeddings", metavar: "FILE", help: "Also write the pairs' embeddings as JSON Lines (the --embeddings format).")
        spec.option("embeddings", metavar: "FILE",
                    help: "JSON Lines of precomputed pairs: {\"id\": ..., \"image\": [floats], \"recipe\": [floats]} a line.")
        spec.option("ranking-sizes", metavar: "N,N", help: "Candidates per ranking; sizes above the pair count fall back to the whole set.",
                    default: "1000,10000")
        spec.option("subsets", metavar: "COUNT", help: "Random subsets averaged per ranking size.", default: "10")
        spec.option("seed", metavar: "SEED", help: "Seed of the subset draws.", default: "0")
        spec.flag("json", help: "Print the reports as JSON instead of a table.")
        return spec
    }

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try spec.parse(arguments)
        let subsets = try parsed.integer("subsets", in: 1...1_000_000) ?? 10
        let seed = try parsed.integer("seed", in: 0...Int.max) ?? 0
        let sizesText = parsed.string("ranking-sizes") ?? "1000,10000"
        let sizes = try sizesText.split(separator: ",").map { part -> Int in
            guard let size = Int(part.trimmingCharacters(in: .whitespaces)), size > 0 else {
                throw ArgumentError.invalidValue(option: "ranking-sizes", value: sizesText,
                                                 expected: "positive integers separated by commas, for example 1000,10000")
            }
            return size
        }
        let pairs: EmbeddingPairs
        if let path = parsed.string("embeddings") {
            pairs = try EmbeddingPairs.read(jsonLines: URL(fileURLWithPath: path))
        } else if let modelPath = parsed.string("model") {
            guard let pairsPath = parsed.string("pairs") else { throw ArgumentError.missingRequired("pairs") }
            pairs = try embed(modelPath: modelPath, pairsURL: URL(fileURLWithPath: pairsPath),
                              cachePath: parsed.string("feature-cache"))
        } else {
            throw ArgumentError.missingRequired("model")
        }
        if let path = parsed.string("save-embeddings") {
            try pairs.write(jsonLines: URL(fileURLWithPath: path))
        }
        let reports = try RetrievalEvaluation.evaluate(images: pairs.images, recipes: pairs.recipes,
                                                       rankingSizes: sizes, subsetCount: subsets,
                                                       seed: UInt64(truncatingIfNeeded: seed))
        if parsed.flag("json") {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            Console.out(String(decoding: try encoder.encode(reports), as: UTF8.self))
        } else {
            Console.out(RetrievalTable.render(reports, pairCount: pairs.ids.count))
        }
        return 0
    }
}

extension EvalCommand {
    /// Embeds every pair of `pairsURL` with the model at `modelPath`.
    static func embed(modelPath: String, pairsURL: URL, cachePath: String?) throws -> EmbeddingPairs {
        let model = try LarderModel(contentsOf: URL(fileURLWithPath: modelPath))
        let extractor = try ModelEvaluation.featureExtractor(for: model, path: modelPath)
        let cacheURL = cachePath.map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: modelPath).appendingPathExtension("features")
        let cache = try ImageFeatureCache(directory: cacheURL, extractor: extractor)
        let records = try DataReader.recipes(jsonLines: pairsURL)
        return try ModelEvaluation.embed(records, model: model, imageRoot: pairsURL.deletingLastPathComponent(),
                                         features: cache)
    }
}

/// Text table of retrieval reports, recall as percentages as papers print it.
enum RetrievalTable {
    static func render(_ reports: [RetrievalReport], pairCount: Int) -> String {
        var lines: [String] = []
        for report in reports {
            let scope = report.rankingSize == pairCount && report.subsetCount == 1
                ? "whole set" : "mean of \(report.subsetCount) random subsets"
            lines.append("rankings of \(report.rankingSize) of \(pairCount) pairs (\(scope))")
            lines.append("direction        medR    R@1    R@5   R@10")
            for (label, metrics) in [("image-to-recipe", report.imageToRecipe), ("recipe-to-image", report.recipeToImage)] {
                lines.append(label.padding(toLength: 15, withPad: " ", startingAt: 0)
                             + format(metrics.medianRank, width: 6) + format(100 * metrics.recallAt1, width: 7)
                             + format(100 * metrics.recallAt5, width: 7) + format(100 * metrics.recallAt10, width: 7))
            }
        }
        return lines.joined(separator: "\n")
    }

    private static func format(_ value: Double, width: Int) -> String {
        let text = String(format: "%.1f", value)
        return String(repeating: " ", count: max(width - text.count, 0)) + text
    }
}
