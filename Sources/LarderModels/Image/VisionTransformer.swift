import LarderImage
import LarderTensor
import LarderWeights

/// Vision Transformer (Dosovitskiy et al., "An Image is Worth 16x16 Words",
/// ICLR 2021) in timm 0.3.1's layout, ViT-B/16 by default. A strided
/// convolution embeds 16-pixel patches, and a class token and learned
/// positional embeddings join them. Pre-norm blocks follow (layer norm eps
/// 1e-6, packed qkv attention, exact GELU MLP), then a final layer norm whose
/// class-token row is the feature vector.
///
/// Parameter names follow timm (`patch_embed.proj`, `cls_token`, `pos_embed`,
/// `blocks.N.attn.qkv`, `blocks.N.mlp.fc1`, `norm`, `head`). The `head`
/// classifier is optional and unused.
public struct VisionTransformer: ImageBackbone {
    /// Sizes of one ViT.
    public struct Configuration: Sendable, Equatable {
        /// Input side in pixels.
        public var imageSize: Int
        /// Patch side in pixels.
        public var patchSize: Int
        /// Token width (`embed_dim`).
        public var width: Int
        /// Number of transformer blocks.
        public var depth: Int
        /// Attention heads per block.
        public var headCount: Int
        /// Hidden width of each MLP.
        public var mlpWidth: Int

        /// Creates a configuration.
        public init(imageSize: Int, patchSize: Int, width: Int, depth: Int, headCount: Int, mlpWidth: Int) {
            self.imageSize = imageSize
            self.patchSize = patchSize
            self.width = width
            self.depth = depth
            self.headCount = headCount
            self.mlpWidth = mlpWidth
        }

        /// ViT-B/16 at 224 pixels: width 768, 12 blocks of 12 heads, MLP 3072.
        public static let base16 = Configuration(imageSize: 224, patchSize: 16, width: 768, depth: 12, headCount: 12, mlpWidth: 3072)
    }

    struct Block: Sendable {
        var norm1: LayerNorm
        var attention: MultiheadAttention
        var norm2: LayerNorm
        var hidden: Linear
        var output: Linear
    }

    static let epsilon: Float = 1e-6

    /// The sizes the network was built with.
    public let configuration: Configuration
    let patchEmbedding: Convolution2D
    let classToken: Tensor
    let positionEmbedding: Tensor
    let blocks: [Block]
    let norm: LayerNorm

    public var featureSize: Int { configuration.width }
    // NOTE: ImageNet mean and standard deviation, as for the other backbones; timm's own
    // ViT-B/16 configuration normalises with 0.5 instead, so check which one a checkpoint was trained with.
    public var preprocessor: ImagePreprocessor {
        ImagePreprocessor(shorterSide: configuration.imageSize * 256 / 224, cropSize: configuration.imageSize)
    }

    /// Builds the network from timm-named tensors.
    /// - Throws: `WeightMismatchError` naming each missing, unexpected or mis-shaped tensor.
    public init(configuration: Configuration = .base16, weights: [String: Tensor]) throws {
        var state = StateDictionary(weights)
        let width = configuration.width
        let patches = (configuration.imageSize / configuration.patchSize) * (configuration.imageSize / configuration.patchSize)
        func linear(_ name: String, _ outputs: Int, _ inputs: Int) -> Linear {
            Linear(weight: state.take(name + ".weight", shape: [outputs, inputs]), bias: state.take(name + ".bias", shape: [outputs]))
        }
        func layerNorm(_ name: String) -> LayerNorm {
            LayerNorm(weight: state.take(name + ".weight", shape: [width]), bias: state.take(name + ".bias", shape: [width]),
                      epsilon: Self.epsilon)
        }

        self.configuration = configuration
        let patch = configuration.patchSize
        patchEmbedding = Convolution2D(weight: state.take("patch_embed.proj.weight", shape: [width, 3, patch, patch]),
                                       bias: state.take("patch_embed.proj.bias", shape: [width]).scalars, stride: patch)
        classToken = state.take("cls_token", shape: [1, 1, width])
        positionEmbedding = state.take("pos_embed", shape: [1, patches + 1, width])
        blocks = (0..<configuration.depth).map { index in
            let prefix = "blocks.\(index)."
            return Block(norm1: layerNorm(prefix + "norm1"),
                         attention: MultiheadAttention(inputProjection: linear(prefix + "attn.qkv", 3 * width, width),
                                                       outputProjection: linear(prefix + "attn.proj", width, width),
                                                       headCount: configuration.headCount),
                         norm2: layerNorm(prefix + "norm2"),
                         hidden: linear(prefix + "mlp.fc1", configuration.mlpWidth, width),
                         output: linear(prefix + "mlp.fc2", width, configuration.mlpWidth))
        }
        norm = layerNorm("norm")
        state.ignore { $0 == "head.weight" || $0 == "head.bias" }
        try state.finish()
    }

    /// Returns the class token after the final layer norm, `[N, width]`, for `[N, 3, imageSize, imageSize]` images.
    public func features(_ images: Tensor) -> Tensor {
        precondition(images.rank == 4 && images.shape[2] == configuration.imageSize && images.shape[3] == configuration.imageSize,
                     "ViT expects [batch, 3, \(configuration.imageSize), \(configuration.imageSize)], got \(images.shape)")
        let batch = images.shape[0]
        let width = configuration.width
        let grid = patchEmbedding(images)  // [N, width, rows, columns]
        let patches = grid.shape[2] * grid.shape[3]
        let tokens = patches + 1

        // Tokens [N, 1 + patches, width]: the class token, then each patch's channels, plus positions.
        var x = Tensor(shape: [batch, tokens, width])
        for image in 0..<batch {
            for channel in 0..<width {
                x.scalars[image * tokens * width + channel] = classToken.scalars[channel] + positionEmbedding.scalars[channel]
                for patch in 0..<patches {
                    let token = patch + 1
                    x.scalars[(image * tokens + token) * width + channel] = grid.scalars[(image * width + channel) * patches + patch]
                        + positionEmbedding.scalars[token * width + channel]
                }
            }
        }

        for block in blocks {
            x.addInPlace(block.attention(block.norm1(x)))
            var hidden = block.hidden(block.norm2(x))
            hidden.applyGELU()
            x.addInPlace(block.output(hidden))
        }
        let normalized = norm(x)
        var features = Tensor(shape: [batch, width])
        for image in 0..<batch {
            features.scalars.replaceSubrange((image * width)..<((image + 1) * width),
                                             with: normalized.scalars[(image * tokens * width)..<(image * tokens * width + width)])
        }
        return features
    }
}
