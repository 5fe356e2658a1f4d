import Foundation
import LarderModels
import LarderTensor
import LarderText

/// Embeds image-recipe pairs with a saved Larder model, for the retrieval protocol.
public enum ModelEvaluation {
    /// An error that keeps a model from being evaluated on photos.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// The model has no image head.
        case recipeOnlyModel(path: String)
        /// The model names a backbone this build does not know.
        case unknownBackbone(String)

        public var description: String {
            switch self {
            case .recipeOnlyModel(let path):
                return "\(path) is a recipe-only model; image-recipe evaluation needs a model with an image head"
            case .unknownBackbone(let name):
                return "unknown image backbone '\(name)'; known: "
                    + ImageBackboneKind.allCases.map(\.rawValue).joined(separator: ", ")
            }
        }
    }

    /// Builds the feature extractor of the backbone a model's image head was
    /// trained on, from the backbone tensors stored in the model when present,
    /// otherwise from the cached ImageNet weights.
    public static func featureExtractor(for model: LarderModel, path: String) throws -> BackboneFeatureExtractor {
        guard let image = model.configuration.image else { throw Failure.recipeOnlyModel(path: path) }
        guard let kind = ImageBackboneKind(rawValue: image.backbone) else { throw Failure.unknownBackbone(image.backbone) }
        if model.imageBackboneParameters.isEmpty {
            return try BackboneFeatureExtractor(kind: kind)
        }
        return BackboneFeatureExtractor(kind: kind, backbone: try kind.makeBackbone(weights: model.imageBackboneParameters))
    }

    /// Image and recipe embeddings of every pair with a photo (its first one).
    /// Photo paths are resolved against `imageRoot` unless absolute.
    public static func embed(_ pairs: [RecipeRecord], model: LarderModel, imageRoot: URL,
                             features: ImageFeatureCache, batchSize: Int = 32) throws -> EmbeddingPairs {
        let photographed = pairs.filter { !$0.images.isEmpty }
        guard let projection = model.imageProjection, !photographed.isEmpty else {
            throw DataError.empty(path: imageRoot.path, what: "pairs with a photo and a model with an image head")
        }
        var recipeScalars: [Float] = []
        var imageScalars: [Float] = []
        for start in stride(from: 0, to: photographed.count, by: batchSize) {
            let batch = Array(photographed[start..<min(start + batchSize, photographed.count)])
            recipeScalars += try model.encode(batch.map {
                RecipeText(title: $0.title, ingredients: $0.ingredients, instructions: $0.instructions)
            }).scalars
            let urls = batch.map { resolve($0.images[0], against: imageRoot) }
            let vectors = try features.features(of: urls)
            var projected = projection(Tensor(shape: [batch.count, features.extractor.featureSize],
                                              scalars: vectors.flatMap { $0 }))
            projected.scalars = projected.scalars.map { Foundation.tanh($0) }
            imageScalars += projected.scalars
        }
        let width = model.configuration.recipe.outputSize
        return EmbeddingPairs(ids: photographed.map(\.id),
                              images: Tensor(shape: [photographed.count, width], scalars: imageScalars),
                              recipes: Tensor(shape: [photographed.count, width], scalars: recipeScalars))
    }

    /// `path` itself when absolute, otherwise relative to `root`.
    public static func resolve(_ path: String, against root: URL) -> URL {
        path.hasPrefix("/") ? URL(fileURLWithPath: path) : root.appendingPathComponent(path)
    }
}
