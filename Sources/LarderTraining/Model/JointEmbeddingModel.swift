import Foundation
import LarderModels
import LarderTensor

/// The trainable form of the recipe encoder, the projection heads of the
/// self-supervised recipe loss and the image projection, built from
/// differentiable operations. Parameter names are the `state_dict` keys of
/// the authors' PyTorch model, so a saved model loads into the inference
/// encoder and into their code alike.
///
/// Recipe encoder: a word embedding shared by all components; per component
/// a transformer encoder (post-norm layers as PyTorch's
/// `nn.TransformerEncoderLayer`: ReLU feed-forward, layer norm eps 1e-5)
/// with learned positional embeddings and masked mean pooling; for
/// ingredients and instructions a second transformer over the sentence
/// vectors; the three component vectors concatenated, a linear layer, tanh.
/// Image side: a linear layer on frozen backbone features, then tanh.
/// Dropout is not applied.
public final class JointEmbeddingModel {
    /// The recipe encoder's sizes.
    public let sizes: RecipeEncoderConfiguration
    /// Width of the frozen image backbone's features.
    public let imageFeatureSize: Int
    /// Every trainable tensor.
    public let parameters: ParameterStore

    static let textPrefix = "text_encoder."

    /// Creates a model with PyTorch's default initialisation drawn from `seed`.
    /// - Throws: `ModelError.invalidConfiguration` for a non-positive size or
    ///   a hidden size that does not split into the heads.
    public init(sizes: RecipeEncoderConfiguration, imageFeatureSize: Int, seed: UInt64) throws {
        if let failure = sizes.validationFailure() { throw ModelError.invalidConfiguration(failure) }
        guard imageFeatureSize > 0 else {
            throw ModelError.invalidConfiguration("imageFeatureSize must be positive, got \(imageFeatureSize)")
        }
        self.sizes = sizes
        self.imageFeatureSize = imageFeatureSize
        parameters = ParameterStore()
        var generator = SplitMix64(seed: seed)
        let hidden = sizes.hiddenSize
        parameters.add(Self.textPrefix + "word_embedding.weight",
                       ParameterStore.normal([sizes.vocabularySize, hidden], deviation: 1, &generator))
        for component in RecipeComponent.allCases {
            addTransformer(Self.textPrefix + "tfs.\(component.rawValue)", &generator)
        }
        for component in [RecipeComponent.ingredients, .instructions] {
            addTransformer(Self.textPrefix + "merger.\(component.rawValue)", &generator)
        }
        parameters.addLinear("merger_recipe", inputs: 3 * hidden, outputs: sizes.outputSize, &generator)
        for source in RecipeComponent.allCases {
            for target in RecipeComponent.allCases where target != source {
                parameters.addLinear(Self.projectorName(from: source, to: target), inputs: hidden, outputs: hidden, &generator)
            }
        }
        parameters.addLinear("image_encoder.fc", inputs: imageFeatureSize, outputs: sizes.outputSize, &generator)
    }

    /// Name of the projection head from `source`'s space to `target`'s.
    public static func projectorName(from source: RecipeComponent, to target: RecipeComponent) -> String {
        "projector_recipes.\(source.rawValue).\(target.rawValue)"
    }

    private func addTransformer(_ prefix: String, _ generator: inout SplitMix64) {
        let hidden = sizes.hiddenSize
        // Xavier normal: std = sqrt(2 / (fan_in + fan_out)).
        let positionDeviation = (2 / Float(sizes.positionCount + hidden)).squareRoot()
        parameters.add(prefix + ".pos_encoder.weight",
                       ParameterStore.normal([sizes.positionCount, hidden], deviation: positionDeviation, &generator))
        for layer in 0..<sizes.layerCount {
            let name = prefix + ".tf.layers.\(layer)"
            // nn.MultiheadAttention: Xavier uniform packed projection, zero biases.
            let packedBound = (6 / Float(hidden + 3 * hidden)).squareRoot()
            parameters.add(name + ".self_attn.in_proj_weight",
                           ParameterStore.uniform([3 * hidden, hidden], bound: packedBound, &generator))
            parameters.add(name + ".self_attn.in_proj_bias", Tensor(shape: [3 * hidden], repeating: 0))
            parameters.add(name + ".self_attn.out_proj.weight",
                           ParameterStore.uniform([hidden, hidden], bound: 1 / Float(hidden).squareRoot(), &generator))
            parameters.add(name + ".self_attn.out_proj.bias", Tensor(shape: [hidden], repeating: 0))
            parameters.addLinear(name + ".linear1", inputs: hidden, outputs: sizes.feedForwardSize, &generator)
            parameters.addLinear(name + ".linear2", inputs: sizes.feedForwardSize, outputs: hidden, &generator)
            parameters.addLayerNorm(name + ".norm1", width: hidden)
            parameters.addLayerNorm(name + ".norm2", width: hidden)
        }
    }

    // MARK: - Forward pass

    /// The recipe side of a batch: the `[batch, outputSize]` recipe
    /// embeddings and each component's `[batch, hiddenSize]` vector.
    public func encodeRecipes(_ batch: TokenBatch) -> (embedding: Variable, components: [RecipeComponent: Variable]) {
        let title = encodeSentences(batch.titleIDs, rows: batch.count, length: batch.titleLength,
                                    prefix: Self.textPrefix + "tfs.title", keepFirstToken: false)
        let ingredients = encodeNested(batch.ingredients, rows: batch.count, component: .ingredients)
        let instructions = encodeNested(batch.instructions, rows: batch.count, component: .instructions)
        let merged = parameters.linear("merger_recipe", Variable.concatenated([title, ingredients, instructions])).tanh()
        return (merged, [.title: title, .ingredients: ingredients, .instructions: instructions])
    }

    /// Maps a component vector into another component's space with its projection head.
    public func project(_ vector: Variable, from source: RecipeComponent, to target: RecipeComponent) -> Variable {
        parameters.linear(Self.projectorName(from: source, to: target), vector)
    }

    /// Image embeddings from `[batch, imageFeatureSize]` backbone features: linear, then tanh.
    public func encodeImages(features: Variable) -> Variable {
        parameters.linear("image_encoder.fc", features).tanh()
    }

    /// Encodes `[rows, length]` token ids with one transformer and pools them to `[rows, hidden]`.
    /// With `keepFirstToken`, position 0 always counts as a real token, so an
    /// all-padding sentence pools to a finite vector (the authors' workaround
    /// for batches of sentence lists; such sentences are masked one level up).
    private func encodeSentences(_ ids: [Int32], rows: Int, length: Int, prefix: String, keepFirstToken: Bool) -> Variable {
        var mask = ids.map { $0 != 0 }
        if keepFirstToken {
            for row in 0..<rows { mask[row * length] = true }
        }
        let embedded = Variable.embedding(ids: ids, shape: [rows, length],
                                          table: parameters[Self.textPrefix + "word_embedding.weight"])
        return transform(embedded, mask: mask, prefix: prefix)
    }

    private func encodeNested(_ nested: TokenBatch.Nested, rows: Int, component: RecipeComponent) -> Variable {
        let sentences = encodeSentences(nested.ids, rows: rows * nested.sentences, length: nested.length,
                                        prefix: Self.textPrefix + "tfs.\(component.rawValue)", keepFirstToken: true)
        var sentenceMask = [Bool](repeating: false, count: rows * nested.sentences)
        for index in 0..<sentenceMask.count {
            let base = index * nested.length
            sentenceMask[index] = nested.ids[base..<(base + nested.length)].contains { $0 != 0 }
        }
        return transform(sentences.reshaped([rows, nested.sentences, sizes.hiddenSize]), mask: sentenceMask,
                         prefix: Self.textPrefix + "merger.\(component.rawValue)")
    }

    /// Positional embeddings, the encoder layers, then masked mean pooling.
    private func transform(_ input: Variable, mask: [Bool], prefix: String) -> Variable {
        let length = input.shape[1]
        precondition(length <= sizes.positionCount,
                     "sequence of \(length) exceeds the \(sizes.positionCount) learned positions")
        let positions = parameters[prefix + ".pos_encoder.weight"].slicedRows(0..<length)
        var hidden = input.adding(positions)
        for layer in 0..<sizes.layerCount {
            hidden = encoderLayer(hidden, mask: mask, prefix: prefix + ".tf.layers.\(layer)")
        }
        return hidden.maskedMeanPool(mask: mask)
    }

    /// One post-norm transformer encoder layer: `x = norm1(x + attention(x))`,
    /// then `x = norm2(x + linear2(relu(linear1(x))))`.
    private func encoderLayer(_ input: Variable, mask: [Bool], prefix: String) -> Variable {
        let attention = AttentionWeights(
            inProjectionWeight: parameters[prefix + ".self_attn.in_proj_weight"],
            inProjectionBias: parameters[prefix + ".self_attn.in_proj_bias"],
            outProjectionWeight: parameters[prefix + ".self_attn.out_proj.weight"],
            outProjectionBias: parameters[prefix + ".self_attn.out_proj.bias"])
        let attended = input.adding(input.multiHeadSelfAttention(attention, heads: sizes.headCount, keyMask: mask))
        let normalized = attended.layerNorm(gamma: parameters[prefix + ".norm1.weight"],
                                            beta: parameters[prefix + ".norm1.bias"])
        let feedForward = parameters.linear(prefix + ".linear2", parameters.linear(prefix + ".linear1", normalized).relu())
        return normalized.adding(feedForward).layerNorm(gamma: parameters[prefix + ".norm2.weight"],
                                                        beta: parameters[prefix + ".norm2.bias"])
    }
}
