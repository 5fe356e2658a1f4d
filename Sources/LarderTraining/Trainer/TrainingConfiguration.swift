import Foundation

/// Everything that shapes a training run, read from a JSON file whose keys
/// are these property names; a missing key takes the default shown here.
/// docs/model-card.md documents the default model's values.
public struct TrainingConfiguration: Sendable, Equatable, Codable {
    // MARK: Model sizes (the vocabulary and image feature sizes come from the data)

    /// Width of word embeddings, transformer layers and component vectors (512 in Salvador et al., CVPR 2021).
    public var hiddenSize = 128
    /// Attention heads per transformer layer (4 in Salvador et al., CVPR 2021).
    public var headCount = 4
    /// Layers per transformer encoder (2 in Salvador et al., CVPR 2021).
    public var layerCount = 2
    /// Width of the feed-forward blocks (2048 in Salvador et al., CVPR 2021).
    public var feedForwardSize = 256
    /// Width of the shared embedding (1024 in Salvador et al., CVPR 2021).
    public var outputSize = 256
    /// Words seen fewer times than this in the training text map to `<unk>` (10 in Salvador et al., CVPR 2021).
    public var minimumWordCount = 10

    // MARK: Batches and schedule

    /// Image-recipe pairs per paired batch.
    public var batchSize = 32
    /// Recipes per text-only batch (twice the paired batch in the authors' code).
    public var textOnlyBatchSize = 64
    /// Text-only batches run before each paired batch (the paper alternates one and one).
    public var textOnlyBatchesPerPairedBatch = 1
    /// Passes over the training pairs.
    public var epochs = 10
    /// Peak Adam learning rate.
    public var learningRate: Float = 1e-4
    /// Steps of linear warm-up before cosine decay.
    public var warmupSteps = 50
    /// Final learning rate as a fraction of the peak.
    public var minimumLearningRateFactor: Float = 0.05
    /// Decoupled weight decay (AdamW); 0 turns it off.
    public var weightDecay: Float = 0
    /// Global gradient norm above which gradients are scaled down; 0 turns clipping off.
    public var gradientClipNorm: Float = 5

    // MARK: Losses

    /// Triplet loss margin on cosine similarity (0.3 in Salvador et al., CVPR 2021).
    public var margin: Float = 0.3
    /// Weight of the self-supervised recipe loss; 0 trains the paired loss only.
    public var recipeLossWeight: Float = 1
    /// Whether text-only recipes (without photos) are trained on with the recipe loss.
    public var useTextOnlyRecipes = true
    /// Upper bound on text-only recipes used (a seeded sample); nil uses all.
    public var maximumTextOnlyRecipes: Int?
    /// Whether dish-labelled photos (`food101.jsonl`) are trained on as weak
    /// pairs with text-only recipes whose titles contain the dish name. They
    /// are never held out.
    public var useWeakPairs = false

    // MARK: Data split and reproducibility

    /// Fraction of the pairs held out for validation and evaluation, drawn with `seed`.
    public var heldOutFraction = 0.25
    /// Upper bound on held-out pairs (a seeded sample), for data with a large
    /// validation split such as Recipe1M's; nil keeps all.
    public var maximumHeldOutPairs: Int?
    /// Seed of the split, the initial weights and the batch order.
    public var seed: UInt64 = 1234
    /// Log a progress line every this many steps.
    public var logEverySteps = 10

    /// The defaults above.
    public init() {}

    /// Decodes a configuration; keys that are absent keep their defaults.
    public init(from decoder: Decoder) throws {
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func read<Value: Decodable>(_ key: CodingKeys, into value: inout Value) throws {
            if let decoded = try container.decodeIfPresent(Value.self, forKey: key) { value = decoded }
        }
        try read(.hiddenSize, into: &hiddenSize)
        try read(.headCount, into: &headCount)
        try read(.layerCount, into: &layerCount)
        try read(.feedForwardSize, into: &feedForwardSize)
        try read(.outputSize, into: &outputSize)
        try read(.minimumWordCount, into: &minimumWordCount)
        try read(.batchSize, into: &batchSize)
        try read(.textOnlyBatchSize, into: &textOnlyBatchSize)
        try read(.textOnlyBatchesPerPairedBatch, into: &textOnlyBatchesPerPairedBatch)
        try read(.epochs, into: &epochs)
        try read(.learningRate, into: &learningRate)
        try read(.warmupSteps, into: &warmupSteps)
        try read(.minimumLearningRateFactor, into: &minimumLearningRateFactor)
        try read(.weightDecay, into: &weightDecay)
        try read(.gradientClipNorm, into: &gradientClipNorm)
        try read(.margin, into: &margin)
        try read(.recipeLossWeight, into: &recipeLossWeight)
        try read(.useTextOnlyRecipes, into: &useTextOnlyRecipes)
        try read(.useWeakPairs, into: &useWeakPairs)
        maximumTextOnlyRecipes = try container.decodeIfPresent(Int.self, forKey: .maximumTextOnlyRecipes)
        maximumHeldOutPairs = try container.decodeIfPresent(Int.self, forKey: .maximumHeldOutPairs)
        try read(.heldOutFraction, into: &heldOutFraction)
        try read(.seed, into: &seed)
        try read(.logEverySteps, into: &logEverySteps)
    }

    /// Reads a JSON configuration file.
    /// - Throws: `ModelError.invalidConfiguration` naming the file and the problem.
    public static func read(_ url: URL) throws -> TrainingConfiguration {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ModelError.invalidConfiguration("cannot read \(url.path): \(error.localizedDescription)")
        }
        let configuration: TrainingConfiguration
        do {
            configuration = try JSONDecoder().decode(TrainingConfiguration.self, from: data)
        } catch {
            throw ModelError.invalidConfiguration("\(url.path): \(DataReader.describe(error))")
        }
        try configuration.validate()
        return configuration
    }

    /// Checks the values that would otherwise fail deep inside training.
    public func validate() throws {
        let positive = [("batchSize", batchSize), ("textOnlyBatchSize", textOnlyBatchSize), ("epochs", epochs),
                        ("minimumWordCount", minimumWordCount), ("logEverySteps", logEverySteps)]
        for (name, value) in positive where value < 1 {
            throw ModelError.invalidConfiguration("\(name) is \(value); it must be at least 1")
        }
        guard batchSize >= 2 else {
            throw ModelError.invalidConfiguration("batchSize is \(batchSize); the triplet loss needs at least 2 pairs for negatives")
        }
        guard heldOutFraction > 0, heldOutFraction < 1 else {
            throw ModelError.invalidConfiguration("heldOutFraction is \(heldOutFraction); it must be between 0 and 1")
        }
        guard learningRate > 0, recipeLossWeight >= 0, margin >= 0, textOnlyBatchesPerPairedBatch >= 0 else {
            throw ModelError.invalidConfiguration("learningRate must be positive; recipeLossWeight, margin and textOnlyBatchesPerPairedBatch must not be negative")
        }
    }
}
