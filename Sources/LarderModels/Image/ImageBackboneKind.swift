import Foundation
import LarderTensor
import LarderWeights

/// The image backbones Larder can build, with where their pretrained weights live.
public enum ImageBackboneKind: String, Sendable, CaseIterable {
    case efficientNetLite0 = "efficientnet-lite0"
    case efficientNetLite2 = "efficientnet-lite2"
    case resNet50 = "resnet50"
    case vitBase16 = "vit-b16"

    /// The default backbone: EfficientNet-Lite2.
    public static let standard = ImageBackboneKind.efficientNetLite2

    /// Directory that `scripts/fetch-backbone.sh` fills: `$LARDER_BACKBONE_DIR`,
    /// else `$XDG_CACHE_HOME/larder/backbones`, else `~/.cache/larder/backbones`.
    public static var cacheDirectory: URL {
        let environment = ProcessInfo.processInfo.environment
        if let directory = environment["LARDER_BACKBONE_DIR"], !directory.isEmpty {
            return URL(fileURLWithPath: directory)
        }
        let cache = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
        return cache.appendingPathComponent("larder/backbones")
    }

    /// Cache location of this backbone's ImageNet weights (`<name>.pth`).
    public var cachedWeightsURL: URL {
        Self.cacheDirectory.appendingPathComponent(rawValue + ".pth")
    }

    /// Builds the backbone from a state dict of its own parameter names.
    /// - Throws: `WeightMismatchError` when the tensors do not fit the architecture.
    public func makeBackbone(weights: [String: Tensor]) throws -> any ImageBackbone {
        switch self {
        case .efficientNetLite0: return try EfficientNetLite(configuration: .lite0, weights: weights)
        case .efficientNetLite2: return try EfficientNetLite(configuration: .lite2, weights: weights)
        case .resNet50: return try ResNet50(weights: weights)
        case .vitBase16: return try VisionTransformer(weights: weights)
        }
    }

    /// Loads the cached ImageNet weights (see `cachedWeightsURL`) and builds the backbone.
    /// - Throws: `ImageEncoderError.missingBackboneWeights` when the file is absent, or a checkpoint or weight error.
    public func loadPretrained() throws -> any ImageBackbone {
        let url = cachedWeightsURL
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ImageEncoderError.missingBackboneWeights(kind: self, path: url.path)
        }
        return try makeBackbone(weights: TorchCheckpoint(contentsOf: url).tensors)
    }
}
