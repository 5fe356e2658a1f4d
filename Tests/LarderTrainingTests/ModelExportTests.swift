import Foundation
import LarderModels
import LarderTensor
import LarderTestSupport
import LarderText
@testable import LarderTraining
import XCTest

/// The saved model must give the inference encoder the vectors of the training forward pass.
final class ModelExportTests: XCTestCase {
    func testInferenceEncoderMatchesTrainingForward() throws {
        let data = TrainerTests.syntheticData(pairs: 12, heldOut: 2, textOnly: 6, seed: 8)
        var configuration = TrainerTests.tinyConfiguration()
        configuration.epochs = 1
        let trainer = try Trainer(configuration: configuration, data: data)
        try trainer.train { _, _ in }

        let directory = try TemporaryDirectory()
        let url = directory.url.appendingPathComponent("model.safetensors")
        try trainer.model.inferenceModel(vocabulary: data.vocabulary, limits: data.limits, backbone: "test-features")
            .write(to: url)
        let loaded = try LarderModel(contentsOf: url)
        XCTAssertEqual(loaded.vocabulary, data.vocabulary)
        XCTAssertEqual(loaded.configuration.recipe, trainer.model.sizes)
        XCTAssertEqual(loaded.configuration.image?.featureSize, data.imageFeatureSize)

        let recipes = data.trainPairs.map(\.recipe)
        let training = trainer.model.encodeRecipes(TokenBatch(recipes)).embedding.value
        let inference = try loaded.recipeEncoder.encode(recipes)
        XCTAssertEqual(inference.shape, training.shape)
        let recipeError = zip(inference.scalars, training.scalars).map { abs($0 - $1) }.max() ?? .infinity
        XCTAssertLessThan(recipeError, 1e-5)

        let features = Tensor(shape: [recipes.count, data.imageFeatureSize], scalars: data.trainPairs.flatMap(\.imageFeatures))
        let trainingImages = trainer.model.encodeImages(features: Variable(features)).value
        var inferenceImages = try XCTUnwrap(loaded.imageProjection)(features)
        inferenceImages.scalars = inferenceImages.scalars.map { Foundation.tanh($0) }
        let imageError = zip(inferenceImages.scalars, trainingImages.scalars).map { abs($0 - $1) }.max() ?? .infinity
        XCTAssertLessThan(imageError, 1e-5)
    }
}
