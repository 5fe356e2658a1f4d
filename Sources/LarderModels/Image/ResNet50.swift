import LarderImage
import LarderTensor
import LarderWeights

/// ResNet-50 (He et al., "Deep Residual Learning for Image Recognition",
/// CVPR 2016) in torchvision's layout, for inference with batch norms folded
/// in: the v1.5 bottleneck puts the stride on its 3x3 convolution, and the
/// output is the 2048-channel average-pooled activation of `layer4`.
///
/// Parameter names follow `torchvision.models.resnet50` (`conv1`, `bn1`,
/// `layer1.0.conv2`, `layer1.0.downsample.0`, `fc`, ...). `stageWidths` and
/// `blockCounts` default to ResNet-50's; smaller values build the same layout
/// at test sizes.
public struct ResNet50: ImageBackbone {
    struct Bottleneck: Sendable {
        var reduce: Convolution2D
        var spatial: Convolution2D
        var expand: Convolution2D
        var downsample: Convolution2D?
    }

    static let expansion = 4
    static let epsilon: Float = 1e-5

    let stem: Convolution2D
    let stages: [[Bottleneck]]
    /// ImageNet classifier, when the checkpoint has one.
    let classifier: Linear?
    public let featureSize: Int
    public var preprocessor: ImagePreprocessor { ImagePreprocessor(shorterSide: 256, cropSize: 224) }

    /// Builds the network from torchvision-named tensors; `fc` is optional.
    /// - Throws: `WeightMismatchError` naming each missing, unexpected or mis-shaped tensor.
    public init(weights: [String: Tensor], stageWidths: [Int] = [64, 128, 256, 512], blockCounts: [Int] = [3, 4, 6, 3]) throws {
        precondition(stageWidths.count == blockCounts.count, "one width per stage")
        var state = StateDictionary(weights)
        let stemWidth = stageWidths[0]
        stem = state.takeConvolution("conv1", norm: "bn1", shape: [stemWidth, 3, 7, 7], stride: 2,
                                     padding: .explicit(top: 3, left: 3, bottom: 3, right: 3), epsilon: Self.epsilon)
        var inputs = stemWidth
        var stages: [[Bottleneck]] = []
        for (stageIndex, (width, count)) in zip(stageWidths, blockCounts).enumerated() {
            var blocks: [Bottleneck] = []
            for blockIndex in 0..<count {
                let prefix = "layer\(stageIndex + 1).\(blockIndex)."
                let stride = blockIndex == 0 && stageIndex > 0 ? 2 : 1
                let outputs = width * Self.expansion
                let unitPadding = Convolution2D.Padding.explicit(top: 1, left: 1, bottom: 1, right: 1)
                let noPadding = Convolution2D.Padding.explicit(top: 0, left: 0, bottom: 0, right: 0)
                var downsample: Convolution2D?
                if stride != 1 || inputs != outputs {
                    downsample = state.takeConvolution(prefix + "downsample.0", norm: prefix + "downsample.1",
                                                       shape: [outputs, inputs, 1, 1], stride: stride, padding: noPadding, epsilon: Self.epsilon)
                }
                blocks.append(Bottleneck(
                    reduce: state.takeConvolution(prefix + "conv1", norm: prefix + "bn1", shape: [width, inputs, 1, 1],
                                                  padding: noPadding, epsilon: Self.epsilon),
                    spatial: state.takeConvolution(prefix + "conv2", norm: prefix + "bn2", shape: [width, width, 3, 3],
                                                   stride: stride, padding: unitPadding, epsilon: Self.epsilon),
                    expand: state.takeConvolution(prefix + "conv3", norm: prefix + "bn3", shape: [outputs, width, 1, 1],
                                                  padding: noPadding, epsilon: Self.epsilon),
                    downsample: downsample))
                inputs = outputs
            }
            stages.append(blocks)
        }
        self.stages = stages
        featureSize = inputs
        if let classes = state.shape(of: "fc.bias")?.first {
            classifier = Linear(weight: state.take("fc.weight", shape: [classes, inputs]), bias: state.take("fc.bias", shape: [classes]))
        } else {
            classifier = nil
        }
        try state.finish()
    }

    /// Returns the average-pooled `layer4` activations `[N, featureSize]` for `[N, 3, H, W]` images.
    public func features(_ images: Tensor) -> Tensor {
        images.mapImages(featureSize: featureSize, imageFeatures)
    }

    private func imageFeatures(_ image: Tensor) -> Tensor {
        var x = stem(image)
        x.applyReLU()
        x = Pooling2D.max(x, kernel: 3, stride: 2, padding: 1)
        for block in stages.joined() {
            var y = block.reduce(x)
            y.applyReLU()
            y = block.spatial(y)
            y.applyReLU()
            y = block.expand(y)
            y.addInPlace(block.downsample.map { $0(x) } ?? x)
            y.applyReLU()
            x = y
        }
        return Pooling2D.globalAverage(x)
    }

    /// Returns ImageNet logits for features from `features(_:)`, or `nil` without a classifier.
    public func classify(_ features: Tensor) -> Tensor? {
        classifier?(features)
    }
}
