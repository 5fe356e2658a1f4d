import Foundation
@testable import LarderModels
import LarderTensor
import LarderTestSupport
import LarderWeights
import XCTest

final class LarderModelImageEncoderTests: XCTestCase {
    private let recipeFixture = RecipeEncoderParityTests.fixtures.appendingPathComponent("recipe-encoder.safetensors")

    /// The recipe fixture model with an image head on `backbone` and a seeded random projection.
    private func modelWithImageHead(backbone: String, featureSize: Int) throws -> LarderModel {
        let recipeModel = try LarderModel(contentsOf: recipeFixture)
        var configuration = recipeModel.configuration
        configuration.image = ImageHeadConfiguration(backbone: backbone, featureSize: featureSize)
        let outputs = configuration.recipe.outputSize
        var generator = SeededGenerator(seed: 12)
        let weight = Tensor(shape: [outputs, featureSize],
                            scalars: (0..<(outputs * featureSize)).map { _ in Float.random(in: -0.05...0.05, using: &generator) })
        let bias = Tensor(shape: [outputs], scalars: (0..<outputs).map { _ in Float.random(in: -0.1...0.1, using: &generator) })
        return LarderModel(configuration: configuration, vocabulary: recipeModel.vocabulary, recipeEncoder: recipeModel.recipeEncoder,
                           imageProjection: Linear(weight: weight, bias: bias))
    }

    func testRecipeOnlyModelHasNoImageEncoder() throws {
        let model = try LarderModel(contentsOf: recipeFixture)
        XCTAssertThrowsError(try model.makeImageEncoder()) { error in
            XCTAssertEqual(error as? ImageEncoderError, .noImageHead)
        }
    }

    func testUnknownBackboneNamed() throws {
        let model = try modelWithImageHead(backbone: "inception-v3", featureSize: 2048)
        XCTAssertThrowsError(try model.makeImageEncoder()) { error in
            XCTAssertEqual(error as? ImageEncoderError, .unknownBackbone("inception-v3"))
        }
    }

    func testEncoderUsesCachedBackboneAndProjection() throws {
        let kind = ImageBackboneKind.efficientNetLite0
        guard FileManager.default.fileExists(atPath: kind.cachedWeightsURL.path) else {
            throw XCTSkip("\(kind.rawValue) weights not at \(kind.cachedWeightsURL.path); run scripts/fetch-backbone.sh lite0")
        }
        let model = try modelWithImageHead(backbone: kind.rawValue, featureSize: 1280)
        let encoder = try model.makeImageEncoder()
        XCTAssertEqual(encoder.outputSize, model.configuration.recipe.outputSize)

        var generator = SeededGenerator(seed: 13)
        let side = encoder.backbone.preprocessor.cropSize
        let images = Tensor(shape: [2, 3, side, side],
                            scalars: (0..<(2 * 3 * side * side)).map { _ in Float.random(in: -2...2, using: &generator) })
        let encoded = encoder.encode(images)
        var expected = try XCTUnwrap(model.imageProjection)(encoder.backbone.features(images))
        expected.applyTanh()
        XCTAssertEqual(encoded.shape, [2, encoder.outputSize])
        for (actual, reference) in zip(encoded.scalars, expected.scalars) {
            XCTAssertEqual(actual, reference, accuracy: 1e-6)
        }
        XCTAssertTrue(encoded.scalars.allSatisfy { abs($0) <= 1 })
    }
}
