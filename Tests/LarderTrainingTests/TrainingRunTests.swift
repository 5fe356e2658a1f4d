import Foundation
import LarderModels
import LarderTestSupport
@testable import LarderTraining
import XCTest

/// Trains a tiny model on a slice of the real data with the real
/// EfficientNet-Lite2 backbone, then evaluates the saved model file.
final class TrainingRunTests: XCTestCase {
    func testTrainSaveAndEvaluateOnRealPairs() throws {
        let shared = try SharedData.require()
        let weights = ImageBackboneKind.efficientNetLite2.cachedWeightsURL
        guard FileManager.default.fileExists(atPath: weights.path) else {
            throw XCTSkip("EfficientNet-Lite2 weights not found at \(weights.path); run scripts/fetch-backbone.sh")
        }
        let directory = try TemporaryDirectory()
        // A data folder of 16 real pairs (photo paths made absolute) and 40 text-only recipes.
        let pairs = try DataReader.recipes(jsonLines: shared.appendingPathComponent("pairs.jsonl")).prefix(16).map { record in
            var copy = record
            copy.images = record.images.map { shared.appendingPathComponent($0).path }
            return copy
        }
        let recipes = try DataReader.recipes(jsonLines: shared.appendingPathComponent("pairs.jsonl"))
        XCTAssertGreaterThan(recipes.count, 56)
        try DataReader.write(Array(pairs), jsonLines: directory.url.appendingPathComponent("pairs.jsonl"))
        let textOnly = recipes.suffix(40).map { RecipeRecord(id: $0.id, title: $0.title, ingredients: $0.ingredients,
                                                             instructions: $0.instructions) }
        try DataReader.write(textOnly, jsonLines: directory.url.appendingPathComponent("recipes.jsonl"))

        var configuration = TrainerTests.tinyConfiguration()
        configuration.epochs = 2
        configuration.minimumWordCount = 2
        configuration.heldOutFraction = 0.25
        let extractor = try BackboneFeatureExtractor(kind: .efficientNetLite2)
        let cache = try ImageFeatureCache(directory: directory.url.appendingPathComponent("features"), extractor: extractor)
        let output = directory.url.appendingPathComponent("model.safetensors")
        let run = TrainingRun(dataDirectory: directory.url, output: output, configuration: configuration,
                              backbone: ImageBackboneKind.efficientNetLite2.rawValue)
        let summary = try run.run(features: cache, resume: false)
        XCTAssertEqual(summary.trainPairs, 12)
        XCTAssertEqual(summary.heldOutPairs, 4)
        XCTAssertEqual(summary.textOnlyRecipes, 40)
        XCTAssertEqual(summary.bestReports.first?.rankingSize, 4)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: cache.directory.path).count, 16)

        // The saved model, run through the inference path, reproduces the trainer's held-out embeddings.
        let model = try LarderModel(contentsOf: output)
        let heldOut = try DataReader.recipes(jsonLines: run.heldOutPairs)
        let evaluated = try ModelEvaluation.embed(heldOut, model: model, imageRoot: directory.url, features: cache)
        let saved = try EmbeddingPairs.read(jsonLines: run.heldOutEmbeddings)
        XCTAssertEqual(evaluated.ids, saved.ids)
        let recipeError = zip(evaluated.recipes.scalars, saved.recipes.scalars).map { abs($0 - $1) }.max() ?? .infinity
        let imageError = zip(evaluated.images.scalars, saved.images.scalars).map { abs($0 - $1) }.max() ?? .infinity
        XCTAssertLessThan(recipeError, 1e-4)
        XCTAssertLessThan(imageError, 1e-4)
    }
}
