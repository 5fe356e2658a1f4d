import Foundation
import LarderModels
import LarderTensor
import LarderText

/// A fixed sequence of training batches, written as JSON so that the same
/// batches can be timed in Swift and in a PyTorch reference of the same model.
public struct BenchmarkBatches: Sendable, Codable {
    /// One update's input; `imageFeatures` nil marks a text-only batch.
    public struct Batch: Sendable, Codable {
        /// Token ids of the batch's recipes.
        public var recipes: [TokenizedRecipe]
        /// Image features for a paired batch, one vector per recipe.
        public var imageFeatures: [[Float]]?
    }

    /// The run's configuration (sizes, batch sizes, learning rate, margin, loss weight).
    public var configuration: TrainingConfiguration
    /// Vocabulary size the ids were drawn with.
    public var vocabularySize: Int
    /// Width of the image features.
    public var imageFeatureSize: Int
    /// Updates, in order, alternating text-only and paired batches as training does.
    public var batches: [Batch]

    /// Builds `steps` batches from real recipes, with a vocabulary from their
    /// text, LarderText's recipe tokenizer, and seeded random image features.
    /// Random features suffice because the backbone is frozen, so feature values
    /// do not change the cost of a step.
    public static func make(recipes: [RecipeRecord], configuration: TrainingConfiguration, steps: Int,
                            imageFeatureSize: Int) -> BenchmarkBatches {
        var generator = SplitMix64(seed: configuration.seed)
        let limits = TextLimits()
        let shuffled = recipes.shuffled(using: &generator)
        let sentences = shuffled.prefix(20_000).lazy.flatMap { recipe in
            ([recipe.title] + recipe.ingredients.prefix(limits.maxIngredients)
                + recipe.instructions.prefix(limits.maxInstructions)).map { WordTokenizer.tokenize($0.lowercased()) }
        }
        let vocabulary = Vocabulary.build(from: sentences, minimumCount: configuration.minimumWordCount)
        let tokenizer = RecipeTokenizer(vocabulary: vocabulary)
        var cursor = 0
        func take(_ count: Int) -> [TokenizedRecipe] {
            (0..<count).map { _ in
                let recipe = shuffled[cursor % shuffled.count]
                cursor += 1
                return tokenizer.tokenize(RecipeText(title: recipe.title, ingredients: recipe.ingredients,
                                                     instructions: recipe.instructions))
            }
        }
        var batches: [Batch] = []
        let textOnlyPerPaired = configuration.useTextOnlyRecipes ? configuration.textOnlyBatchesPerPairedBatch : 0
        while batches.count < steps {
            for _ in 0..<textOnlyPerPaired where batches.count < steps {
                batches.append(Batch(recipes: take(configuration.textOnlyBatchSize), imageFeatures: nil))
            }
            guard batches.count < steps else { break }
            let features = (0..<configuration.batchSize).map { _ in
                (0..<imageFeatureSize).map { _ in max(generator.nextGaussian(), 0) }
            }
            batches.append(Batch(recipes: take(configuration.batchSize), imageFeatures: features))
        }
        return BenchmarkBatches(configuration: configuration, vocabularySize: vocabulary.count,
                                imageFeatureSize: imageFeatureSize, batches: batches)
    }

    /// Timing of a benchmark run.
    public struct Timing: Sendable, Codable {
        /// Updates timed (after the warm-up updates).
        public var steps: Int
        /// Recipes in the timed updates.
        public var recipes: Int
        /// Wall-clock seconds of the timed updates.
        public var seconds: Double
        /// `recipes / seconds`.
        public var recipesPerSecond: Double
    }

    /// Trains a fresh model on the batches (forward, losses, backward,
    /// clipping, Adam) and times all but the first `warmup` updates.
    public func time(warmup: Int = 2) throws -> Timing {
        let data = TrainingData(vocabulary: try Vocabulary(tokens: [Vocabulary.paddingToken, Vocabulary.startToken,
                                                                     Vocabulary.endToken]
                                    + (3..<(vocabularySize - 1)).map { "w\($0)" } + [Vocabulary.unknownToken]),
                                limits: TextLimits(), trainPairs: [], heldOutPairs: [], textOnly: [],
                                imageFeatureSize: imageFeatureSize)
        let trainer = try Trainer(configuration: configuration, data: data)
        var recipes = 0
        var started = Date()
        for (index, batch) in batches.enumerated() {
            if index == warmup { started = Date() }
            trainer.step(recipes: batch.recipes, imageFeatures: batch.imageFeatures)
            if index >= warmup { recipes += batch.recipes.count }
        }
        let seconds = Date().timeIntervalSince(started)
        let steps = max(batches.count - warmup, 0)
        return Timing(steps: steps, recipes: recipes, seconds: seconds, recipesPerSecond: Double(recipes) / max(seconds, 1e-9))
    }
}
