import Foundation
import LarderImage
import LarderModels
import LarderTensor
import LarderWeights

/// Features of a frozen ImageNet-pretrained backbone (EfficientNet-Lite2 by
/// default): each photo decoded, resized and center-cropped with the
/// backbone's preprocessing, then its pooled feature vector.
public struct BackboneFeatureExtractor: ImageFeatureExtractor {
    /// Which backbone.
    public let kind: ImageBackboneKind
    /// The backbone network.
    public let backbone: any ImageBackbone
    private let decoder = ImageDecoder()

    /// Loads the backbone from `weights` (a PyTorch checkpoint), or from the
    /// cached ImageNet weights (`ImageBackboneKind.cachedWeightsURL`) when nil.
    /// - Throws: `ImageEncoderError.missingBackboneWeights`, a checkpoint error, or `WeightMismatchError`.
    public init(kind: ImageBackboneKind = .standard, weights: URL? = nil) throws {
        self.kind = kind
        if let weights {
            backbone = try kind.makeBackbone(weights: TorchCheckpoint(contentsOf: weights).tensors)
        } else {
            backbone = try kind.loadPretrained()
        }
    }

    /// Wraps an already built backbone of `kind`.
    public init(kind: ImageBackboneKind, backbone: any ImageBackbone) {
        self.kind = kind
        self.backbone = backbone
    }

    /// The backbone's name and preprocessing, for example `efficientnet-lite2 resize 298 crop 260`.
    public var identifier: String {
        "\(kind.rawValue) resize \(backbone.preprocessor.shorterSide) crop \(backbone.preprocessor.cropSize)"
    }

    public var featureSize: Int { backbone.featureSize }

    public func features(of urls: [URL]) throws -> [[Float]] {
        let images = try urls.map { try decoder.decode(contentsOf: $0) }
        let output = backbone.features(backbone.preprocessor.batch(images))
        let width = output.shape[1]
        return (0..<urls.count).map { Array(output.scalars[($0 * width)..<(($0 + 1) * width)]) }
    }
}
