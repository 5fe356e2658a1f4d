import Foundation
import LarderTensor
import LarderText
import LarderWeights

/// A Larder model file: one safetensors file whose `__metadata__` contains
/// `larder.config` (`ModelConfiguration` as JSON) and `larder.vocabulary`
/// (the vocabulary, one token a line), and whose tensors use the parameter
/// names of the authors' PyTorch `JointEmbedding` (see
/// `RecipeEncoder.parameterShapes`), stored as fp32 or fp16.
public struct LarderModel: Sendable {
    /// Metadata key of the configuration JSON.
    public static let configurationKey = "larder.config"
    /// Metadata key of the vocabulary text.
    public static let vocabularyKey = "larder.vocabulary"
    /// Prefix of the image backbone's tensors.
    public static let imageBackbonePrefix = "image_encoder.backbone."
    /// Model path that commands use when none is given, relative to the working directory.
    public static let defaultPath = "models/larder-default.safetensors"
    /// Environment variable that overrides `defaultPath`.
    public static let pathEnvironmentVariable = "LARDER_MODEL"

    /// Returns `$LARDER_MODEL` when set and not empty, else `defaultPath`.
    public static func resolvedDefaultPath() -> String {
        let override = ProcessInfo.processInfo.environment[pathEnvironmentVariable] ?? ""
        return override.isEmpty ? defaultPath : override
    }

    /// Sizes and limits.
    public let configuration: ModelConfiguration
    /// The recipe encoder's vocabulary.
    public let vocabulary: Vocabulary
    /// The recipe encoder.
    public let recipeEncoder: RecipeEncoder
    /// `image_encoder.fc`, from backbone features to the shared space; nil for a recipe-only model.
    public let imageProjection: Linear?
    /// The backbone's tensors, by name without `image_encoder.backbone.`; empty for a recipe-only model.
    public let imageBackboneParameters: [String: Tensor]

    /// Creates a model from its parts.
    /// - Precondition: the encoder's vocabulary size equals `vocabulary.count`.
    public init(configuration: ModelConfiguration, vocabulary: Vocabulary, recipeEncoder: RecipeEncoder,
                imageProjection: Linear? = nil, imageBackboneParameters: [String: Tensor] = [:]) {
        precondition(configuration.recipe.vocabularySize == vocabulary.count,
                     "vocabulary of \(vocabulary.count) tokens does not match vocabularySize \(configuration.recipe.vocabularySize)")
        self.configuration = configuration
        self.vocabulary = vocabulary
        self.recipeEncoder = recipeEncoder
        self.imageProjection = imageProjection
        self.imageBackboneParameters = imageBackboneParameters
    }

    /// The tokenizer with this model's vocabulary and limits.
    public var tokenizer: RecipeTokenizer {
        RecipeTokenizer(vocabulary: vocabulary, maxSentenceTokens: configuration.text.maxSentenceTokens,
                        maxIngredients: configuration.text.maxIngredients,
                        maxInstructions: configuration.text.maxInstructions)
    }

    /// Tokenizes and encodes recipes; returns `[recipes.count, outputSize]`.
    public func encode(_ recipes: [RecipeText]) throws -> Tensor {
        let tokenizer = self.tokenizer
        return try recipeEncoder.encode(recipes.map(tokenizer.tokenize))
    }
}

// MARK: - Reading and writing

extension LarderModel {
    /// Reads a model file.
    /// - Throws: `ModelLoadError` (or `SafeTensorsError`) naming what is wrong.
    public init(contentsOf url: URL) throws {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ModelLoadError.fileNotFound(path: url.path)
        }
        do {
            try self.init(file: try SafeTensors(contentsOf: url))
        } catch let error as ModelLoadError {
            throw ModelLoadError.invalidFile(path: url.path, reason: error.description)
        } catch {
            throw ModelLoadError.invalidFile(path: url.path, reason: "\(error)")
        }
    }

    /// Builds a model from a parsed safetensors file.
    /// - Throws: `ModelLoadError` naming missing metadata, an invalid
    ///   configuration or vocabulary, and every missing, unexpected or mis-shaped tensor.
    public init(file: SafeTensors) throws {
        guard let configurationText = file.metadata[Self.configurationKey] else {
            throw ModelLoadError.missingMetadata(key: Self.configurationKey)
        }
        let configuration: ModelConfiguration
        do {
            configuration = try JSONDecoder().decode(ModelConfiguration.self, from: Data(configurationText.utf8))
        } catch {
            throw ModelLoadError.invalidConfiguration(reason: String(describing: error))
        }
        guard configuration.format == 1 else {
            throw ModelLoadError.invalidConfiguration(reason: "format \(configuration.format) is not supported; this build reads format 1")
        }
        if let failure = configuration.recipe.validationFailure() {
            throw ModelLoadError.invalidConfiguration(reason: failure)
        }
        guard let vocabularyText = file.metadata[Self.vocabularyKey] else {
            throw ModelLoadError.missingMetadata(key: Self.vocabularyKey)
        }
        let vocabulary = try Vocabulary(text: vocabularyText)
        guard vocabulary.count == configuration.recipe.vocabularySize else {
            throw ModelLoadError.invalidConfiguration(
                reason: "the vocabulary has \(vocabulary.count) tokens but vocabularySize is \(configuration.recipe.vocabularySize)")
        }

        var parameters = ParameterSet(file.tensors)
        let encoder = RecipeEncoder(configuration: configuration.recipe, parameters: &parameters)
        var projection: Linear?
        var backbone: [String: Tensor] = [:]
        if let image = configuration.image {
            let output = configuration.recipe.outputSize
            projection = Linear(weight: parameters.take("image_encoder.fc.weight", shape: [output, image.featureSize]),
                                bias: parameters.take("image_encoder.fc.bias", shape: [output]))
            // NOTE: backbone tensors are checked by the image backbone that consumes them, not here.
            backbone = parameters.takeAll(prefix: Self.imageBackbonePrefix)
        }
        try parameters.finish()
        self.init(configuration: configuration, vocabulary: vocabulary, recipeEncoder: encoder,
                  imageProjection: projection, imageBackboneParameters: backbone)
    }

    /// Returns the model as a safetensors file (tensors plus metadata).
    public func safeTensors() -> SafeTensors {
        var tensors = recipeEncoder.namedParameters()
        if let imageProjection {
            tensors["image_encoder.fc.weight"] = imageProjection.weight
            tensors["image_encoder.fc.bias"] = imageProjection.bias
        }
        for (name, tensor) in imageBackboneParameters {
            tensors[Self.imageBackbonePrefix + name] = tensor
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // JSONEncoder fails only on non-finite floats, and the configuration has none.
        let configurationText = String(decoding: try! encoder.encode(configuration), as: UTF8.self)
        return SafeTensors(tensors: tensors, metadata: [Self.configurationKey: configurationText,
                                                        Self.vocabularyKey: vocabulary.text])
    }

    /// Writes the model file, storing tensors as `.float32` or `.float16`.
    public func write(to url: URL, as dataType: SafeTensorsDataType = .float32) throws {
        try safeTensors().write(to: url, as: dataType)
    }
}

/// A model file that cannot be loaded.
public enum ModelLoadError: Error, Equatable, CustomStringConvertible {
    case fileNotFound(path: String)
    case missingMetadata(key: String)
    case invalidConfiguration(reason: String)
    /// Tensors that are missing, unexpected or mis-shaped, all listed.
    case parameters([ParameterProblem])
    /// A file that exists but is not a loadable Larder model, with the reason.
    case invalidFile(path: String, reason: String)

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "model file not found: \(path); pass an existing file with --model"
        case .missingMetadata(let key):
            return "invalid model file: the safetensors metadata has no '\(key)' entry; it was not written by Larder"
        case .invalidConfiguration(let reason):
            return "invalid model configuration: \(reason)"
        case .parameters(let problems):
            return "model tensors do not match the configuration (\(problems.count) problems): "
                + problems.map(\.description).joined(separator: "; ")
        case .invalidFile(let path, let reason):
            return "cannot load the model file \(path): \(reason); pass a Larder model (.safetensors written by "
                + "larder train) with --model"
        }
    }
}
