import Foundation
import LarderImage
import LarderTensor
import LarderWeights

/// The image side of the joint embedding (Salvador et al., "Revamping
/// Cross-Modal Recipe Retrieval with Hierarchical Transformers and
/// Self-supervised Learning", CVPR 2021): a backbone's pooled features, a
/// linear layer to the embedding size, then tanh.
public struct ImageEncoder: Sendable {
    /// The feature extractor.
    public let backbone: any ImageBackbone
    /// Projection weight `[outputSize, backbone.featureSize]`.
    public let projectionWeight: Tensor
    /// Projection bias, one value per output dimension.
    public let projectionBias: [Float]

    /// Length of the output vectors.
    public var outputSize: Int { projectionWeight.shape[0] }

    /// Creates an encoder from a backbone and the projection `projection.weight`
    /// and `projection.bias` in `weights`.
    /// - Throws: `WeightMismatchError` when the projection is missing or does not fit the backbone.
    public init(backbone: any ImageBackbone, projection weights: [String: Tensor], prefix: String = "projection.") throws {
        var state = StateDictionary(weights)
        let outputs = state.shape(of: prefix + "weight")?.first ?? 0
        projectionWeight = state.take(prefix + "weight", shape: [outputs, backbone.featureSize])
        projectionBias = state.take(prefix + "bias", shape: [outputs]).scalars
        state.ignore { !$0.hasPrefix(prefix) }
        try state.finish()
        self.backbone = backbone
    }

    /// Encodes a batch of preprocessed images `[N, 3, crop, crop]` into `[N, outputSize]`.
    public func encode(_ images: Tensor) -> Tensor {
        var output = denseLayer(backbone.features(images), weight: projectionWeight, bias: projectionBias)
        output.scalars = output.scalars.map { tanh($0) }
        return output
    }

    /// Preprocesses and encodes decoded photos, one output row each.
    public func encode(_ images: [RGBImage]) -> Tensor {
        encode(backbone.preprocessor.batch(images))
    }
}

extension ImagePreprocessor {
    /// Stacks the preprocessed tensors of `images` into `[N, 3, crop, crop]`.
    public func batch(_ images: [RGBImage]) -> Tensor {
        var scalars: [Float] = []
        scalars.reserveCapacity(images.count * 3 * cropSize * cropSize)
        for image in images { scalars += tensor(for: image).scalars }
        return Tensor(shape: [images.count, 3, cropSize, cropSize], scalars: scalars)
    }
}

/// A failure to set up an image encoder.
public enum ImageEncoderError: Error, Equatable, CustomStringConvertible {
    /// The pretrained weights of a backbone are not in the cache.
    case missingBackboneWeights(kind: ImageBackboneKind, path: String)

    public var description: String {
        switch self {
        case .missingBackboneWeights(let kind, let path):
            let variant = kind.rawValue.replacingOccurrences(of: "efficientnet-", with: "")
            return "pretrained weights of \(kind.rawValue) not found at \(path); run scripts/fetch-backbone.sh \(variant)"
        }
    }
}
