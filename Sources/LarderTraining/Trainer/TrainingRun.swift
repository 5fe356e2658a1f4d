import Foundation
import LarderLog
import LarderModels
import LarderTensor
import LarderWeights

/// One `larder train` run from a data folder to a model file. It reads the
/// data, prepares features and vocabulary, and trains with validation after
/// each epoch. It saves the best model by R@1 and checkpoints every epoch, so
/// an interrupted run resumes where it stopped.
public struct TrainingRun {
    /// Data folder in one of two layouts. Larder's: `pairs.jsonl`, optionally
    /// `recipes.jsonl` (text-only recipes) and `food101.jsonl` (weak pairs),
    /// and the photos they name, relative to the folder. Recipe1M's: `layer1.json`, `layer2.json` and the
    /// photos under `images/PARTITION/a/b/c/d/`; its "train" partition is
    /// trained on (recipes without photos as text-only) and "val" held out.
    public var dataDirectory: URL
    /// Path of the model file that receives the best epoch.
    public var output: URL
    /// The run's configuration.
    public var configuration: TrainingConfiguration
    /// Name of the image backbone stored in the model's configuration.
    public var backbone: String
    /// Store the model's tensors as fp16 (half the size) instead of fp32.
    public var halfPrecision: Bool

    /// Creates a run description.
    public init(dataDirectory: URL, output: URL, configuration: TrainingConfiguration, backbone: String,
                halfPrecision: Bool = false) {
        self.dataDirectory = dataDirectory
        self.output = output
        self.configuration = configuration
        self.backbone = backbone
        self.halfPrecision = halfPrecision
    }

    /// The checkpoint written after every epoch: the output path plus `.checkpoint`.
    public var checkpoint: URL { output.appendingPathExtension("checkpoint") }
    /// The held-out pairs, for `larder eval --model MODEL --pairs`: the output path plus `.heldout-pairs.jsonl`.
    public var heldOutPairs: URL { output.appendingPathExtension("heldout-pairs.jsonl") }
    /// Held-out embeddings of the best model, for `larder eval --embeddings`: the output path plus `.heldout.jsonl`.
    public var heldOutEmbeddings: URL { output.appendingPathExtension("heldout.jsonl") }

    /// Summary of a finished run.
    public struct Summary: Sendable {
        /// Pairs trained on, held out, and text-only recipes used.
        public var trainPairs: Int, heldOutPairs: Int, textOnlyRecipes: Int
        /// Vocabulary size.
        public var vocabularySize: Int
        /// Trainable scalars.
        public var parameterCount: Int
        /// Validation reports of the best epoch.
        public var bestReports: [RetrievalReport]
        /// Mean recipes per second over the epochs this process ran.
        public var recipesPerSecond: Double
        /// Wall-clock seconds of training in this process, validation included.
        public var seconds: Double
    }

    /// Reads the data and trains. With `resume`, continues from `checkpoint` when it exists.
    /// - Throws: `DataError` for unreadable or invalid data, `ModelError` for a bad configuration.
    public func run(features: ImageFeatureCache, resume: Bool, logger: Logger = Logger(label: "larder.train")) throws -> Summary {
        let layer1 = dataDirectory.appendingPathComponent("layer1.json")
        let pairs: [RecipeRecord]
        var heldOut: [RecipeRecord]?
        var textOnly: [RecipeRecord] = []
        var imageRoot = dataDirectory
        if FileManager.default.fileExists(atPath: layer1.path) {
            let layer2 = dataDirectory.appendingPathComponent("layer2.json")
            let train = try DataReader.recipe1M(layer1: layer1, layer2: layer2, partition: "train")
            pairs = train.filter { !$0.images.isEmpty }
            textOnly = train.filter { $0.images.isEmpty }
            heldOut = try DataReader.recipe1M(layer1: layer1, layer2: layer2, partition: "val")
            imageRoot = dataDirectory.appendingPathComponent("images")
        } else {
            pairs = try DataReader.recipes(jsonLines: dataDirectory.appendingPathComponent("pairs.jsonl"))
            let recipesURL = dataDirectory.appendingPathComponent("recipes.jsonl")
            if FileManager.default.fileExists(atPath: recipesURL.path) {
                textOnly = try DataReader.recipes(jsonLines: recipesURL)
            }
        }
        var weakPairs: [RecipeRecord] = []
        let photosURL = dataDirectory.appendingPathComponent("food101.jsonl")
        if configuration.useWeakPairs, FileManager.default.fileExists(atPath: photosURL.path) {
            let pairIDs = Set(pairs.map(\.id) + (heldOut ?? []).map(\.id))
            weakPairs = WeakPairing.pairs(photos: try DataReader.labelledPhotos(jsonLines: photosURL),
                                          recipes: textOnly.filter { !pairIDs.contains($0.id) }, seed: configuration.seed)
        }
        logger.info("read data", ["pairs": "\(pairs.count)", "text_only": "\(textOnly.count)",
                                  "weak_pairs": "\(weakPairs.count)", "folder": dataDirectory.path])

        let data = try TrainingData.prepare(pairs: pairs, heldOutPairs: heldOut, weakPairs: weakPairs, textOnly: textOnly,
                                            imageRoot: imageRoot, configuration: configuration, features: features)
        let trainer = try Trainer(configuration: configuration, data: data, logger: logger)
        logger.info("prepared", ["train_pairs": "\(data.trainPairs.count)", "held_out_pairs": "\(data.heldOutPairs.count)",
                                 "text_only": "\(data.textOnly.count)", "vocabulary": "\(data.vocabulary.count)",
                                 "parameters": "\(trainer.model.parameters.scalarCount)",
                                 "steps_per_epoch": "\(trainer.stepsPerEpoch)"])
        try DataReader.write(data.heldOutRecords, jsonLines: heldOutPairs)
        if resume, FileManager.default.fileExists(atPath: checkpoint.path) {
            try trainer.resume(from: checkpoint)
            logger.info("resumed", ["checkpoint": checkpoint.path, "completed_epochs": "\(trainer.completedEpochs)"])
        }

        let started = Date()
        let startStep = trainer.globalStep
        var bestReports: [RetrievalReport] = []
        try trainer.train { reports, isBest in
            if isBest {
                bestReports = reports
                let model = try trainer.model.inferenceModel(vocabulary: data.vocabulary, limits: data.limits,
                                                             backbone: backbone)
                try model.write(to: output, as: halfPrecision ? .float16 : .float32)
                try trainer.embed(data.heldOutPairs).write(jsonLines: heldOutEmbeddings)
                logger.info("saved best model", ["path": output.path])
            }
            try trainer.saveCheckpoint(to: checkpoint)
        }
        let seconds = Date().timeIntervalSince(started)
        let steps = trainer.globalStep - startStep
        let recipesPerStep = Double(configuration.batchSize
            + trainer.textOnlyBatchesPerPairedBatch * configuration.textOnlyBatchSize) / Double(1 + trainer.textOnlyBatchesPerPairedBatch)
        return Summary(trainPairs: data.trainPairs.count, heldOutPairs: data.heldOutPairs.count,
                       textOnlyRecipes: data.textOnly.count, vocabularySize: data.vocabulary.count,
                       parameterCount: trainer.model.parameters.scalarCount, bestReports: bestReports,
                       recipesPerSecond: Double(steps) * recipesPerStep / max(seconds, 1e-9), seconds: seconds)
    }
}
