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

    func testRecipe1MLayoutTrainsOnTrainAndHoldsOutVal() throws {
        let shared = try SharedData.require()
        guard FileManager.default.fileExists(atPath: ImageBackboneKind.efficientNetLite2.cachedWeightsURL.path) else {
            throw XCTSkip("EfficientNet-Lite2 weights not found; run scripts/fetch-backbone.sh")
        }
        let directory = try TemporaryDirectory()
        let source = try DataReader.recipes(jsonLines: shared.appendingPathComponent("pairs.jsonl")).prefix(13)
        // Recipe1M's layout: six train and three val recipes with a photo, four train recipes without.
        var layer1: [[String: Any]] = []
        var layer2: [[String: Any]] = []
        for (index, record) in source.enumerated() {
            let partition = index < 10 ? "train" : "val"
            let recipeID = String(format: "%010x", 0xabc000 + index)
            layer1.append(["id": recipeID, "title": record.title, "partition": partition, "url": "http://example/\(index)",
                           "ingredients": record.ingredients.map { ["text": $0] },
                           "instructions": record.instructions.map { ["text": $0] }])
            guard index < 6 || index >= 10 else { continue }
            let imageID = String(format: "%010x.jpg", 0xf00d00 + index)
            let folder = directory.url.appendingPathComponent("images/\(partition)")
                .appendingPathComponent(imageID.prefix(4).map(String.init).joined(separator: "/"))
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: shared.appendingPathComponent(record.images[0]),
                                             to: folder.appendingPathComponent(imageID))
            layer2.append(["id": recipeID, "images": [["id": imageID, "url": "http://example/\(imageID)"]]])
        }
        try JSONSerialization.data(withJSONObject: layer1).write(to: directory.url.appendingPathComponent("layer1.json"))
        try JSONSerialization.data(withJSONObject: layer2).write(to: directory.url.appendingPathComponent("layer2.json"))

        var configuration = TrainerTests.tinyConfiguration()
        configuration.epochs = 1
        configuration.minimumWordCount = 1
        let extractor = try BackboneFeatureExtractor(kind: .efficientNetLite2)
        let cache = try ImageFeatureCache(directory: directory.url.appendingPathComponent("features"), extractor: extractor)
        let run = TrainingRun(dataDirectory: directory.url, output: directory.url.appendingPathComponent("model.safetensors"),
                              configuration: configuration, backbone: ImageBackboneKind.efficientNetLite2.rawValue)
        let summary = try run.run(features: cache, resume: false)
        XCTAssertEqual(summary.trainPairs, 6)
        XCTAssertEqual(summary.heldOutPairs, 3)
        XCTAssertEqual(summary.textOnlyRecipes, 4)
        XCTAssertEqual(try DataReader.recipes(jsonLines: run.heldOutPairs).count, 3)
    }
}
