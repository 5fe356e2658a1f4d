import Foundation
import LarderLog
import LarderModels
import LarderTensor
import LarderText
import LarderWeights

/// Trains the joint embedding model with the method of Salvador et al.
/// (CVPR 2021): the paired triplet loss on image-recipe batches plus the
/// weighted self-supervised recipe loss, with text-only batches alternating
/// with paired ones, Adam with warm-up and cosine decay, and global-norm
/// gradient clipping. The image backbone stays frozen: only its projection
/// trains, on cached features.
public final class Trainer {
    /// The run's configuration.
    public let configuration: TrainingConfiguration
    /// The prepared data.
    public let data: TrainingData
    /// The model being trained.
    public let model: JointEmbeddingModel
    /// The optimiser's state.
    public private(set) var optimizer: Adam
    /// Updates taken so far.
    public private(set) var globalStep = 0
    /// Epochs completed so far.
    public private(set) var completedEpochs = 0
    /// Best validation score so far (mean R@1 of both directions), or -1 before any validation.
    public private(set) var bestScore: Double = -1

    private let triplet: TripletLoss
    private let recipeLoss: RecipeLoss
    private let logger: Logger

    /// Creates a trainer for a new model initialised from the configuration's seed.
    public init(configuration: TrainingConfiguration, data: TrainingData, logger: Logger = Logger(label: "larder.train")) throws {
        try configuration.validate()
        self.configuration = configuration
        self.data = data
        let sizes = RecipeEncoderConfiguration(vocabularySize: data.vocabulary.count, hiddenSize: configuration.hiddenSize,
                                               headCount: configuration.headCount, layerCount: configuration.layerCount,
                                               feedForwardSize: configuration.feedForwardSize,
                                               outputSize: configuration.outputSize)
        model = try JointEmbeddingModel(sizes: sizes, imageFeatureSize: data.imageFeatureSize, seed: configuration.seed)
        optimizer = Adam(weightDecay: configuration.weightDecay)
        triplet = TripletLoss(margin: configuration.margin)
        recipeLoss = RecipeLoss(margin: configuration.margin)
        self.logger = logger
    }

    // MARK: - Schedule

    /// Paired batches per epoch; a last batch of fewer than 2 pairs is dropped (it has no negatives).
    public var pairedBatchesPerEpoch: Int {
        let full = data.trainPairs.count / configuration.batchSize
        return full + (data.trainPairs.count % configuration.batchSize >= 2 ? 1 : 0)
    }

    /// Text-only batches per paired batch in this run (0 without text-only recipes or recipe loss).
    public var textOnlyBatchesPerPairedBatch: Int {
        data.textOnly.count >= 2 && configuration.recipeLossWeight > 0 ? configuration.textOnlyBatchesPerPairedBatch : 0
    }

    /// Updates per epoch.
    public var stepsPerEpoch: Int { pairedBatchesPerEpoch * (1 + textOnlyBatchesPerPairedBatch) }

    /// The learning rate schedule over the whole run.
    public var schedule: LearningRateSchedule {
        LearningRateSchedule(baseRate: configuration.learningRate, warmupSteps: configuration.warmupSteps,
                             totalSteps: stepsPerEpoch * configuration.epochs, decay: .cosine,
                             minimumFactor: configuration.minimumLearningRateFactor)
    }

    // MARK: - One update

    /// Losses of one update, before weighting.
    public struct StepLosses: Sendable {
        /// Paired triplet loss, or nil on a text-only batch.
        public var paired: Float?
        /// Recipe loss, or nil when its weight is 0.
        public var recipe: Float?
        /// Paired loss plus the weighted recipe loss.
        public var total: Float
    }

    /// Runs forward and backward passes on one batch and updates the
    /// parameters. `imageFeatures` (one vector per recipe) makes it a paired
    /// batch; nil makes it a text-only batch.
    @discardableResult
    public func step(recipes: [TokenizedRecipe], imageFeatures: [[Float]]?) -> StepLosses {
        model.parameters.zeroGradients()
        let (total, losses) = loss(recipes: recipes, imageFeatures: imageFeatures)
        guard let total else { return losses }
        total.backward()
        let parameters = model.parameters.parameters
        let norm = GradientClipping.globalNorm(parameters)
        let scale = GradientClipping.scale(norm: norm, maximumNorm: configuration.gradientClipNorm)
        optimizer.update(parameters, learningRate: schedule.rate(at: globalStep), gradientScale: scale)
        globalStep += 1
        return losses
    }

    /// The training loss of a batch as a graph (nil when no term applies) and its parts.
    public func loss(recipes: [TokenizedRecipe], imageFeatures: [[Float]]?) -> (Variable?, StepLosses) {
        let (embedding, components) = model.encodeRecipes(TokenBatch(recipes))
        var terms: [Variable] = []
        var losses = StepLosses(paired: nil, recipe: nil, total: 0)
        if let imageFeatures {
            let images = model.encodeImages(features: Variable(featureTensor(imageFeatures)))
            let paired = triplet(images, embedding)
            losses.paired = paired.value.scalars[0]
            terms.append(paired)
        }
        if configuration.recipeLossWeight > 0 {
            let recipe = recipeLoss(components: components) { source, target, vector in
                model.project(vector, from: source, to: target)
            }
            losses.recipe = recipe.value.scalars[0]
            terms.append(recipe.scaled(by: configuration.recipeLossWeight))
        }
        guard !terms.isEmpty else { return (nil, losses) }
        let total = terms.count == 1 ? terms[0] : Variable.concatenated(terms).sum()
        losses.total = total.value.scalars[0]
        return (total, losses)
    }

    private func featureTensor(_ vectors: [[Float]]) -> Tensor {
        Tensor(shape: [vectors.count, data.imageFeatureSize], scalars: vectors.flatMap { $0 })
    }

    // MARK: - Embedding and validation

    /// Image and recipe embeddings of `pairs`, computed in batches of `batchSize`.
    public func embed(_ pairs: [PairedExample], batchSize: Int = 64) -> EmbeddingPairs {
        var images: [Float] = []
        var recipes: [Float] = []
        for start in stride(from: 0, to: pairs.count, by: batchSize) {
            let batch = Array(pairs[start..<min(start + batchSize, pairs.count)])
            recipes += model.encodeRecipes(TokenBatch(batch.map(\.recipe))).embedding.value.scalars
            images += model.encodeImages(features: Variable(featureTensor(batch.map(\.imageFeatures)))).value.scalars
        }
        let width = model.sizes.outputSize
        return EmbeddingPairs(ids: pairs.map(\.id), images: Tensor(shape: [pairs.count, width], scalars: images),
                              recipes: Tensor(shape: [pairs.count, width], scalars: recipes))
    }

    /// The retrieval protocol on the held-out pairs (whole set when smaller than 1k).
    public func validate() throws -> [RetrievalReport] {
        let embeddings = embed(data.heldOutPairs)
        return try RetrievalEvaluation.evaluate(images: embeddings.images, recipes: embeddings.recipes,
                                                seed: configuration.seed)
    }

    // MARK: - Epochs

    /// Trains until `configuration.epochs` epochs are complete (or
    /// `stoppingAfter` of them, for a run to be resumed later), validating
    /// after each. `onEpoch` receives the validation reports and whether the
    /// model is the best so far by mean R@1 (so the caller saves it), then
    /// may write a checkpoint.
    public func train(stoppingAfter epochLimit: Int? = nil,
                      onEpoch: (_ reports: [RetrievalReport], _ isBest: Bool) throws -> Void) throws {
        let lastEpoch = min(configuration.epochs, epochLimit ?? configuration.epochs)
        let started = Date()
        var recipesSeen = 0
        let startStep = globalStep
        let totalSteps = stepsPerEpoch * configuration.epochs
        while completedEpochs < lastEpoch {
            let epoch = completedEpochs
            var generator = SplitMix64(seed: configuration.seed &+ UInt64(epoch + 1) &* 0x9E37_79B9)
            let pairOrder = Array(data.trainPairs.indices).shuffled(using: &generator)
            let textOrder = Array(data.textOnly.indices).shuffled(using: &generator)
            var textCursor = (epoch * pairedBatchesPerEpoch * textOnlyBatchesPerPairedBatch * configuration.textOnlyBatchSize)
                % max(textOrder.count, 1)
            var runningLoss: Float = 0
            var runningCount = 0

            for batchIndex in 0..<pairedBatchesPerEpoch {
                for _ in 0..<textOnlyBatchesPerPairedBatch {
                    var batch: [TokenizedRecipe] = []
                    for _ in 0..<min(configuration.textOnlyBatchSize, textOrder.count) {
                        batch.append(data.textOnly[textOrder[textCursor]])
                        textCursor = (textCursor + 1) % textOrder.count
                    }
                    runningLoss += step(recipes: batch, imageFeatures: nil).total
                    runningCount += 1
                    recipesSeen += batch.count
                }
                let start = batchIndex * configuration.batchSize
                let indices = pairOrder[start..<min(start + configuration.batchSize, pairOrder.count)]
                let losses = step(recipes: indices.map { data.trainPairs[$0].recipe },
                                  imageFeatures: indices.map { data.trainPairs[$0].imageFeatures })
                runningLoss += losses.total
                runningCount += 1
                recipesSeen += indices.count

                if (batchIndex + 1) % configuration.logEverySteps == 0 || batchIndex + 1 == pairedBatchesPerEpoch {
                    let elapsed = Date().timeIntervalSince(started)
                    let stepsDone = globalStep - startStep
                    let remaining = elapsed / Double(max(stepsDone, 1)) * Double(totalSteps - globalStep)
                    logger.info("training", [
                        "epoch": "\(epoch + 1)/\(configuration.epochs)",
                        "step": "\(globalStep)/\(totalSteps)",
                        "loss": String(format: "%.4f", runningLoss / Float(max(runningCount, 1))),
                        "recipes_per_s": String(format: "%.1f", Double(recipesSeen) / max(elapsed, 1e-9)),
                        "lr": String(format: "%.2e", schedule.rate(at: globalStep)),
                        "eta": Self.formatDuration(remaining),
                    ])
                    runningLoss = 0
                    runningCount = 0
                }
            }

            let reports = try validate()
            completedEpochs += 1
            let score = reports.map { ($0.imageToRecipe.recallAt1 + $0.recipeToImage.recallAt1) / 2 }.first ?? 0
            let isBest = score > bestScore
            if isBest { bestScore = score }
            if let report = reports.first {
                logger.info("validation", [
                    "epoch": "\(completedEpochs)",
                    "pairs": "\(report.rankingSize)",
                    "i2r_medr": String(format: "%.1f", report.imageToRecipe.medianRank),
                    "i2r_r1": String(format: "%.3f", report.imageToRecipe.recallAt1),
                    "r2i_r1": String(format: "%.3f", report.recipeToImage.recallAt1),
                    "best": isBest ? "yes" : "no",
                ])
            }
            try onEpoch(reports, isBest)
        }
    }

    /// Formats seconds as `1h02m`, `3m05s` or `12s`.
    static func formatDuration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        if total >= 3600 { return String(format: "%dh%02dm", total / 3600, (total % 3600) / 60) }
        if total >= 60 { return String(format: "%dm%02ds", total / 60, total % 60) }
        return "\(total)s"
    }

    // MARK: - Checkpoints

    /// Writes the parameters, the optimiser's moments and the progress counters.
    public func saveCheckpoint(to url: URL) throws {
        var tensors: [String: Tensor] = [:]
        let names = model.parameters.names
        for (index, name) in names.enumerated() {
            let parameter = model.parameters[name]
            tensors["model." + name] = parameter.value
            if index < optimizer.firstMoments.count {
                tensors["adam.first." + name] = Tensor(shape: parameter.shape, scalars: optimizer.firstMoments[index])
                tensors["adam.second." + name] = Tensor(shape: parameter.shape, scalars: optimizer.secondMoments[index])
            }
        }
        let metadata = ["global_step": "\(globalStep)", "completed_epochs": "\(completedEpochs)",
                        "adam_step": "\(optimizer.step)", "best_score": "\(bestScore)",
                        "vocabulary_size": "\(data.vocabulary.tokens.count)"]
        try SafeTensors(tensors: tensors, metadata: metadata).write(to: url)
    }

    /// Restores a checkpoint written by `saveCheckpoint(to:)` for the same configuration and data.
    /// - Throws: `ModelError` when a tensor is missing or has another shape.
    public func resume(from url: URL) throws {
        let archive = try SafeTensors(contentsOf: url)
        let names = model.parameters.names
        var modelTensors: [String: Tensor] = [:]
        for name in names { modelTensors[name] = archive.tensors["model." + name] }
        try model.parameters.load(modelTensors)
        let adamStep = Int(archive.metadata["adam_step"] ?? "") ?? 0
        if adamStep > 0 {
            var first: [[Float]] = []
            var second: [[Float]] = []
            for name in names {
                guard let m = archive.tensors["adam.first." + name], let v = archive.tensors["adam.second." + name] else {
                    throw ModelError.missingTensor("adam.first." + name)
                }
                first.append(m.scalars)
                second.append(v.scalars)
            }
            optimizer = Adam(step: adamStep, firstMoments: first, secondMoments: second,
                             weightDecay: configuration.weightDecay)
        }
        globalStep = Int(archive.metadata["global_step"] ?? "") ?? 0
        completedEpochs = Int(archive.metadata["completed_epochs"] ?? "") ?? 0
        bestScore = Double(archive.metadata["best_score"] ?? "") ?? -1
    }
}
