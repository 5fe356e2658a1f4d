import Foundation
import LarderModels
import LarderTensor
import LarderTestSupport
import LarderText
@testable import LarderTraining
import XCTest

/// Trains tiny models on small synthetic data sets: the loss must fall,
/// retrieval must improve, and checkpoints must resume exactly.
final class TrainerTests: XCTestCase {
    /// A tiny configuration that trains in well under a second per epoch in release builds.
    static func tinyConfiguration() -> TrainingConfiguration {
        var configuration = TrainingConfiguration()
        configuration.hiddenSize = 8
        configuration.headCount = 2
        configuration.layerCount = 1
        configuration.feedForwardSize = 16
        configuration.outputSize = 8
        configuration.batchSize = 6
        configuration.textOnlyBatchSize = 6
        configuration.epochs = 2
        configuration.learningRate = 3e-3
        configuration.warmupSteps = 2
        configuration.logEverySteps = 1000
        configuration.seed = 7
        return configuration
    }

    /// Random recipes over a 20-token vocabulary whose image features are a
    /// fixed random function of the title, so the pairs are learnable.
    static func syntheticData(pairs: Int, heldOut: Int, textOnly: Int, seed: UInt64) -> TrainingData {
        var generator = SplitMix64(seed: seed)
        let vocabulary = try! Vocabulary(tokens: ["<pad>", "<start>", "<end>"] + (3..<19).map { "w\($0)" } + ["<unk>"])
        func sentence() -> [Int] {
            [1] + (0..<Int.random(in: 1...4, using: &generator)).map { _ in Int.random(in: 3..<20, using: &generator) } + [2]
        }
        func recipe() -> TokenizedRecipe {
            TokenizedRecipe(title: sentence(),
                            ingredients: (0..<Int.random(in: 0...3, using: &generator)).map { _ in sentence() },
                            instructions: (0..<Int.random(in: 1...3, using: &generator)).map { _ in sentence() })
        }
        let featureSize = 6
        let mixing = (0..<(20 * featureSize)).map { _ in generator.nextGaussian() }
        func features(_ recipe: TokenizedRecipe) -> [Float] {
            var vector = [Float](repeating: 0, count: featureSize)
            for id in recipe.title { for index in 0..<featureSize { vector[index] += mixing[id * featureSize + index] } }
            return vector
        }
        let examples = (0..<(pairs + heldOut)).map { index -> PairedExample in
            let tokens = recipe()
            return PairedExample(id: "r\(index)", recipe: tokens, imageFeatures: features(tokens))
        }
        return TrainingData(vocabulary: vocabulary, limits: TextLimits(), trainPairs: Array(examples.prefix(pairs)),
                            heldOutPairs: Array(examples.suffix(heldOut)),
                            textOnly: (0..<textOnly).map { _ in recipe() }, imageFeatureSize: featureSize)
    }

    func testLossFallsAndRetrievalImproves() throws {
        var configuration = Self.tinyConfiguration()
        configuration.epochs = 30
        let data = Self.syntheticData(pairs: 24, heldOut: 12, textOnly: 24, seed: 1)
        let trainer = try Trainer(configuration: configuration, data: data)

        let train = data.trainPairs
        let (_, initial) = trainer.loss(recipes: train.map(\.recipe), imageFeatures: train.map(\.imageFeatures))
        let before = trainer.embed(train)
        let ranksBefore = RetrievalEvaluation.ranks(queries: before.images, candidates: before.recipes)

        var epochs = 0
        try trainer.train { reports, _ in
            epochs += 1
            XCTAssertEqual(reports.first?.rankingSize, 12)
        }
        XCTAssertEqual(epochs, 30)
        XCTAssertEqual(trainer.completedEpochs, 30)
        XCTAssertEqual(trainer.globalStep, 30 * trainer.stepsPerEpoch)

        let (_, final) = trainer.loss(recipes: train.map(\.recipe), imageFeatures: train.map(\.imageFeatures))
        XCTAssertLessThan(final.total, 0.5 * initial.total, "training loss should at least halve")
        let after = trainer.embed(train)
        let ranksAfter = RetrievalEvaluation.ranks(queries: after.images, candidates: after.recipes)
        XCTAssertLessThan(ranksAfter.reduce(0, +), ranksBefore.reduce(0, +), "ranks of the true matches should improve")
    }

    func testResumeMatchesUninterruptedRun() throws {
        let data = Self.syntheticData(pairs: 13, heldOut: 6, textOnly: 10, seed: 2)
        var configuration = Self.tinyConfiguration()
        configuration.epochs = 2

        let uninterrupted = try Trainer(configuration: configuration, data: data)
        try uninterrupted.train { _, _ in }

        let directory = try TemporaryDirectory()
        let checkpoint = directory.url.appendingPathComponent("run.checkpoint")
        let interrupted = try Trainer(configuration: configuration, data: data)
        try interrupted.train(stoppingAfter: 1) { _, _ in try interrupted.saveCheckpoint(to: checkpoint) }
        XCTAssertEqual(interrupted.completedEpochs, 1)

        let resumed = try Trainer(configuration: configuration, data: data)
        try resumed.resume(from: checkpoint)
        XCTAssertEqual(resumed.completedEpochs, 1)
        try resumed.train { _, _ in }

        XCTAssertEqual(resumed.globalStep, uninterrupted.globalStep)
        for name in uninterrupted.model.parameters.names {
            let difference = zip(resumed.model.parameters[name].value.scalars,
                                 uninterrupted.model.parameters[name].value.scalars).map { abs($0 - $1) }.max() ?? 0
            XCTAssertEqual(difference, 0, "\(name) differs after resuming")
        }
    }

    func testWholeModelGradientMatchesFiniteDifferences() throws {
        var configuration = Self.tinyConfiguration()
        configuration.hiddenSize = 4
        configuration.feedForwardSize = 6
        configuration.outputSize = 4
        let data = Self.syntheticData(pairs: 4, heldOut: 2, textOnly: 0, seed: 3)
        let trainer = try Trainer(configuration: configuration, data: data)
        let recipes = data.trainPairs.map(\.recipe)
        let features = data.trainPairs.map(\.imageFeatures)
        func loss() -> Float { trainer.loss(recipes: recipes, imageFeatures: features).0!.value.scalars[0] }

        trainer.model.parameters.zeroGradients()
        trainer.loss(recipes: recipes, imageFeatures: features).0!.backward()
        var generator = SplitMix64(seed: 5)
        var checked = 0
        for name in trainer.model.parameters.names {
            let parameter = trainer.model.parameters[name]
            guard let gradient = parameter.grad else { continue }
            // Three elements per tensor keep the check quick; every tensor with a gradient is covered.
            for _ in 0..<3 {
                let index = Int.random(in: 0..<parameter.value.count, using: &generator)
                let original = parameter.value.scalars[index]
                // A small step keeps the difference from crossing the hinge kinks of the triplet losses.
                let step: Float = 1e-3
                parameter.value.scalars[index] = original + step
                let plus = loss()
                parameter.value.scalars[index] = original - step
                let minus = loss()
                parameter.value.scalars[index] = original
                let numeric = (plus - minus) / (2 * step)
                XCTAssertEqual(gradient[index], numeric, accuracy: 3e-3 + 5e-2 * abs(numeric), "\(name)[\(index)]")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 3 * 40, "most parameter tensors should receive a gradient")
    }

    func testPaddingDoesNotChangeRecipeVectors() throws {
        let data = Self.syntheticData(pairs: 6, heldOut: 2, textOnly: 0, seed: 4)
        let trainer = try Trainer(configuration: Self.tinyConfiguration(), data: data)
        let recipes = data.trainPairs.map(\.recipe)
        let together = trainer.model.encodeRecipes(TokenBatch(recipes)).embedding.value.scalars
        let width = trainer.model.sizes.outputSize
        for (row, recipe) in recipes.enumerated() {
            let alone = trainer.model.encodeRecipes(TokenBatch([recipe])).embedding.value.scalars
            for index in 0..<width {
                XCTAssertEqual(alone[index], together[row * width + index], accuracy: 1e-5, "recipe \(row)")
            }
        }
    }

    func testConfigurationDefaultsAndErrors() throws {
        let directory = try TemporaryDirectory()
        let url = directory.url.appendingPathComponent("config.json")
        try #"{"hiddenSize": 64, "epochs": 3, "seed": 9}"#.write(to: url, atomically: true, encoding: .utf8)
        let configuration = try TrainingConfiguration.read(url)
        XCTAssertEqual(configuration.hiddenSize, 64)
        XCTAssertEqual(configuration.epochs, 3)
        XCTAssertEqual(configuration.seed, 9)
        XCTAssertEqual(configuration.margin, 0.3)
        XCTAssertEqual(configuration.recipeLossWeight, 1)

        try #"{"batchSize": 1}"#.write(to: url, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try TrainingConfiguration.read(url))
        try #"{"epochs": "many"}"#.write(to: url, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try TrainingConfiguration.read(url)) { error in
            XCTAssertTrue("\(error)".contains("epochs"), "\(error)")
        }
    }
}
