import Foundation
import LarderModels
import LarderTensor
import LarderText

/// One training or held-out example with a photo: the recipe's ids and the
/// photo's frozen backbone features.
public struct PairedExample: Sendable {
    /// Recipe identifier.
    public var id: String
    /// Token ids of the recipe.
    public var recipe: TokenizedRecipe
    /// Backbone features of the photo.
    public var imageFeatures: [Float]
}

/// The data of one training run after splitting, vocabulary building,
/// tokenization and feature extraction.
public struct TrainingData: Sendable {
    /// The vocabulary built from the training text.
    public var vocabulary: Vocabulary
    /// Tokenizer limits the recipes were cut to.
    public var limits: TextLimits
    /// Pairs trained on.
    public var trainPairs: [PairedExample]
    /// Pairs held out for validation and evaluation.
    public var heldOutPairs: [PairedExample]
    /// The held-out pairs' records, photo paths made absolute, for `larder eval --model`.
    public var heldOutRecords: [RecipeRecord] = []
    /// Recipes without photos, for the recipe loss.
    public var textOnly: [TokenizedRecipe]
    /// Width of the image features.
    public var imageFeatureSize: Int

    /// Prepares a run's data. It splits `pairs` with a seeded shuffle, holding
    /// out the first `heldOutFraction` of the shuffled order, and drops
    /// text-only recipes whose id is any pair's id. It builds the vocabulary
    /// from the training pairs and the text-only recipes (held-out recipes never
    /// add words), tokenizes, and looks up every pair's first photo in `features`.
    /// - Parameters:
    ///   - heldOutPairs: a fixed validation split (Recipe1M's "val"); when
    ///     given, every pair in `pairs` is trained on and at most
    ///     `maximumHeldOutPairs` of these (a seeded sample) are held out.
    ///   - weakPairs: extra training pairs (see `WeakPairing.pairs`), never held out.
    ///   - imageRoot: folder that photo paths are relative to.
    public static func prepare(pairs: [RecipeRecord], heldOutPairs: [RecipeRecord]? = nil,
                               weakPairs: [RecipeRecord] = [], textOnly: [RecipeRecord],
                               imageRoot: URL, configuration: TrainingConfiguration, limits: TextLimits = TextLimits(),
                               features: ImageFeatureCache) throws -> TrainingData {
        let photographed = pairs.filter { !$0.images.isEmpty }
        var generator = SplitMix64(seed: configuration.seed)
        var train: [RecipeRecord]
        var heldOut: [RecipeRecord]
        if let heldOutPairs {
            train = photographed
            heldOut = heldOutPairs.filter { !$0.images.isEmpty }
        } else {
            guard photographed.count >= 4 else {
                throw DataError.empty(path: imageRoot.path, what: "image-recipe pairs (need at least 4 to train and hold out)")
            }
            let order = Array(photographed.indices).shuffled(using: &generator)
            let heldOutCount = min(max(Int((Double(order.count) * configuration.heldOutFraction).rounded()), 2),
                                   order.count - 2)
            heldOut = order.prefix(heldOutCount).map { photographed[$0] }
            train = order.dropFirst(heldOutCount).map { photographed[$0] }
        }
        train += weakPairs.filter { !$0.images.isEmpty }
        if let limit = configuration.maximumHeldOutPairs, heldOut.count > limit {
            heldOut = Array(heldOut.shuffled(using: &generator).prefix(limit))
        }
        guard train.count >= 2, heldOut.count >= 2 else {
            throw DataError.empty(path: imageRoot.path,
                                  what: "image-recipe pairs to train on and hold out (need at least 2 of each, found \(train.count) and \(heldOut.count))")
        }

        let pairIDs = Set(pairs.map(\.id) + heldOut.map(\.id))
        var candidates = textOnly.filter { !pairIDs.contains($0.id) }
        if let limit = configuration.maximumTextOnlyRecipes, candidates.count > limit {
            candidates = Array(candidates.shuffled(using: &generator).prefix(limit))
        }
        // The text-only recipes add words to the vocabulary even when they are not trained on,
        // so that runs with and without them (the paper's ablation) share one vocabulary.
        let extra = configuration.useTextOnlyRecipes ? candidates : []

        let trainingText = (train + candidates).lazy.flatMap { recipe in
            ([recipe.title] + recipe.ingredients.prefix(limits.maxIngredients)
                + recipe.instructions.prefix(limits.maxInstructions)).map { WordTokenizer.tokenize($0.lowercased()) }
        }
        let vocabulary = Vocabulary.build(from: trainingText, minimumCount: configuration.minimumWordCount)
        let tokenizer = RecipeTokenizer(vocabulary: vocabulary, maxSentenceTokens: limits.maxSentenceTokens,
                                        maxIngredients: limits.maxIngredients, maxInstructions: limits.maxInstructions)
        func tokenize(_ record: RecipeRecord) -> TokenizedRecipe {
            tokenizer.tokenize(RecipeText(title: record.title, ingredients: record.ingredients,
                                          instructions: record.instructions))
        }

        func examples(_ records: [RecipeRecord]) throws -> [PairedExample] {
            let vectors = try features.features(of: records.map { ModelEvaluation.resolve($0.images[0], against: imageRoot) })
            return zip(records, vectors).map { record, vector in
                PairedExample(id: record.id, recipe: tokenize(record), imageFeatures: vector)
            }
        }
        var data = TrainingData(vocabulary: vocabulary, limits: limits, trainPairs: try examples(train),
                                heldOutPairs: try examples(heldOut), textOnly: extra.map(tokenize),
                                imageFeatureSize: features.extractor.featureSize)
        data.heldOutRecords = heldOut.map { record in
            var copy = record
            copy.images = record.images.map { ModelEvaluation.resolve($0, against: imageRoot).path }
            return copy
        }
        return data
    }
}
