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
    /// From `backbone.featureSize` features to the output size (`image_encoder.fc`).
    public let projection: Linear

    /// Length of the output vectors.
    public var outputSize: Int { projection.outputSize }

    /// Creates an encoder.
    /// - Precondition: the projection takes `backbone.featureSize` inputs.
    public init(backbone: any ImageBackbone, projection: Linear) {
        precondition(projection.inputSize == backbone.featureSize,
                     "projection takes \(projection.inputSize) features, the backbone gives \(backbone.featureSize)")
        self.backbone = backbone
        self.projection = projection
    }

    /// Creates an encoder whose projection is `<prefix>weight` and `<prefix>bias` of `weights`.
    /// - Throws: `WeightMismatchError` when the projection is missing or does not fit the backbone.
    public init(backbone: any ImageBackbone, weights: [String: Tensor], prefix: String) throws {
        var state = StateDictionary(weights)
        let outputs = state.shape(of: prefix + "weight")?.first ?? 0
        let weight = state.take(prefix + "weight", shape: [outputs, backbone.featureSize])
        let bias = state.take(prefix + "bias", shape: [outputs])
        state.ignore { !$0.hasPrefix(prefix) }
        try state.finish()
        self.init(backbone: backbone, projection: Linear(weight: weight, bias: bias))
    }

    /// Encodes a batch of preprocessed images `[N, 3, crop, crop]` into `[N, outputSize]`.
    public func encode(_ images: Tensor) -> Tensor {
        var output = projection(backbone.features(images))
        output.applyTanh()
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
    /// A model names a backbone Larder does not implement.
    case unknownBackbone(String)
    /// The model file has no image side.
    case noImageHead

    public var description: String {
        switch self {
        case .missingBackboneWeights(let kind, let path):
            switch kind {
            case .resNet50:
                return "pretrained weights of resnet50 not found at \(path); save torchvision's resnet50 state dict there with torch.save"
            case .vitBase16:
                return "pretrained weights of vit-b16 not found at \(path); save timm's vit_base_patch16_224 state dict there with torch.save"
            case .efficientNetLite0, .efficientNetLite2:
                break
            }
            let variant = kind.rawValue.replacingOccurrences(of: "efficientnet-", with: "")
            return "pretrained weights of \(kind.rawValue) not found at \(path); run scripts/fetch-backbone.sh \(variant)"
        case .unknownBackbone(let name):
            let known = ImageBackboneKind.allCases.map(\.rawValue).joined(separator: ", ")
            return "unknown image backbone '\(name)'; expected one of \(known)"
        case .noImageHead:
            return "the model has no image encoder; train or convert a model with an image head"
        }
    }
}
