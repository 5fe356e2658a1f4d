import Foundation
import LarderTensor

/// Turns recipe text into words (for building the vocabulary) and into token
/// ids (for the encoder), with the same rules as the inference encoder.
public protocol RecipeTextPipeline {
    /// Every sentence of the recipe (title, ingredient lines, instruction
    /// sentences) as the words the vocabulary counts.
    func words(of recipe: RecipeRecord) -> [[String]]
    /// The recipe's token ids under `vocabulary` (tokens in id order).
    func tokenize(_ recipe: RecipeRecord, vocabulary: Vocabulary) -> TokenizedRecipe
}

/// A token list with its reverse index; id = position in `tokens`.
public struct Vocabulary: Sendable, Equatable {
    /// Tokens in id order.
    public let tokens: [String]
    /// Id of each token.
    public let ids: [String: Int32]

    /// Creates a vocabulary; a repeated token keeps its first id.
    public init(tokens: [String]) {
        self.tokens = tokens
        var ids: [String: Int32] = [:]
        for (index, token) in tokens.enumerated() where ids[token] == nil { ids[token] = Int32(index) }
        self.ids = ids
    }
}

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
    /// Pairs trained on.
    public var trainPairs: [PairedExample]
    /// Pairs held out for validation and evaluation.
    public var heldOutPairs: [PairedExample]
    /// Recipes without photos, for the recipe loss.
    public var textOnly: [TokenizedRecipe]
    /// Width of the image features.
    public var imageFeatureSize: Int

    /// Splits `pairs` with a seeded shuffle (the first `heldOutFraction` of
    /// the shuffled order is held out), drops text-only recipes whose id is
    /// any pair's id, builds the vocabulary from the training text only
    /// (held-out recipes never add words), tokenizes, and looks up every
    /// pair's first photo in `features`.
    /// - Parameter imageRoot: folder that photo paths are relative to.
    public static func prepare(pairs: [RecipeRecord], textOnly: [RecipeRecord], imageRoot: URL,
                               configuration: TrainingConfiguration, pipeline: any RecipeTextPipeline,
                               features: ImageFeatureCache) throws -> TrainingData {
        let photographed = pairs.filter { !$0.images.isEmpty }
        guard photographed.count >= 4 else {
            throw DataError.empty(path: imageRoot.path, what: "image-recipe pairs (need at least 4 to train and hold out)")
        }
        var generator = SplitMix64(seed: configuration.seed)
        let order = Array(photographed.indices).shuffled(using: &generator)
        let heldOutCount = min(max(Int((Double(order.count) * configuration.heldOutFraction).rounded()), 2),
                               order.count - 2)
        let heldOut = order.prefix(heldOutCount).map { photographed[$0] }
        let train = order.dropFirst(heldOutCount).map { photographed[$0] }

        let pairIDs = Set(pairs.map(\.id))
        var extra = configuration.useTextOnlyRecipes ? textOnly.filter { !pairIDs.contains($0.id) } : []
        if let limit = configuration.maximumTextOnlyRecipes, extra.count > limit {
            extra = Array(extra.shuffled(using: &generator).prefix(limit))
        }

        let trainingText = (train + extra).lazy.flatMap { pipeline.words(of: $0) }
        let vocabulary = Vocabulary(tokens: VocabularyBuilder.tokens(counting: trainingText,
                                                                     minimumCount: configuration.minimumWordCount))

        func examples(_ records: [RecipeRecord]) throws -> [PairedExample] {
            let vectors = try features.features(of: records.map { imageRoot.appendingPathComponent($0.images[0]) })
            return zip(records, vectors).map { record, vector in
                PairedExample(id: record.id, recipe: pipeline.tokenize(record, vocabulary: vocabulary), imageFeatures: vector)
            }
        }
        return TrainingData(vocabulary: vocabulary, trainPairs: try examples(train), heldOutPairs: try examples(heldOut),
                            textOnly: extra.map { pipeline.tokenize($0, vocabulary: vocabulary) },
                            imageFeatureSize: features.extractor.featureSize)
    }
}
