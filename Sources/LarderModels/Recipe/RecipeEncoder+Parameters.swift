import LarderTensor

// Parameter names follow the authors' PyTorch modules (`JointEmbedding` in
// amzn/image-to-recipe-transformers, src/models.py), so their state dicts map
// one to one: `text_encoder.word_embedding.weight`,
// `text_encoder.tfs.<component>.…`, `text_encoder.merger.<component>.…`,
// `merger_recipe.…` and `projector_recipes.<source>.<target>.…`.

extension RecipeEncoder {
    /// Returns the name and shape of every parameter an encoder of `configuration` has.
    public static func parameterShapes(_ configuration: RecipeEncoderConfiguration) -> [String: [Int]] {
        var shapes: [String: [Int]] = [:]
        let hidden = configuration.hiddenSize
        shapes["text_encoder.word_embedding.weight"] = [configuration.vocabularySize, hidden]
        for (prefix, _) in sequenceEncoderPrefixes {
            shapes[prefix + "pos_encoder.weight"] = [configuration.positionCount, hidden]
            for layer in 0..<configuration.layerCount {
                for (name, shape) in layerShapes(configuration) {
                    shapes["\(prefix)tf.layers.\(layer).\(name)"] = shape
                }
            }
        }
        shapes["merger_recipe.weight"] = [configuration.outputSize, 3 * hidden]
        shapes["merger_recipe.bias"] = [configuration.outputSize]
        for (source, target) in projectionPairs {
            shapes["projector_recipes.\(source.rawValue).\(target.rawValue).weight"] = [hidden, hidden]
            shapes["projector_recipes.\(source.rawValue).\(target.rawValue).bias"] = [hidden]
        }
        return shapes
    }

    /// Builds an encoder from the tensors in `parameters`, recording missing
    /// and mis-shaped ones there (call `parameters.finish()` afterwards).
    public init(configuration: RecipeEncoderConfiguration, parameters: inout ParameterSet) {
        let hidden = configuration.hiddenSize
        func linear(_ name: String, output: Int, input: Int) -> Linear {
            Linear(weight: parameters.take(name + ".weight", shape: [output, input]),
                   bias: parameters.take(name + ".bias", shape: [output]))
        }
        func layerNorm(_ name: String) -> LayerNorm {
            LayerNorm(weight: parameters.take(name + ".weight", shape: [hidden]),
                      bias: parameters.take(name + ".bias", shape: [hidden]), epsilon: 1e-5)
        }
        func sequenceEncoder(_ prefix: String) -> SequenceEncoder {
            let positions = parameters.take(prefix + "pos_encoder.weight", shape: [configuration.positionCount, hidden])
            let layers = (0..<configuration.layerCount).map { index -> TransformerEncoderLayer in
                let layer = "\(prefix)tf.layers.\(index)."
                let attention = MultiheadAttention(
                    inputProjection: Linear(weight: parameters.take(layer + "self_attn.in_proj_weight", shape: [3 * hidden, hidden]),
                                            bias: parameters.take(layer + "self_attn.in_proj_bias", shape: [3 * hidden])),
                    outputProjection: linear(layer + "self_attn.out_proj", output: hidden, input: hidden),
                    headCount: configuration.headCount)
                return TransformerEncoderLayer(
                    attention: attention,
                    feedForwardIn: linear(layer + "linear1", output: configuration.feedForwardSize, input: hidden),
                    feedForwardOut: linear(layer + "linear2", output: hidden, input: configuration.feedForwardSize),
                    attentionNorm: layerNorm(layer + "norm1"),
                    feedForwardNorm: layerNorm(layer + "norm2"))
            }
            return SequenceEncoder(positions: positions, layers: layers)
        }

        let embedding = Embedding(weight: parameters.take("text_encoder.word_embedding.weight",
                                                          shape: [configuration.vocabularySize, hidden]))
        var wordEncoders: [RecipeComponent: SequenceEncoder] = [:]
        var sentenceEncoders: [RecipeComponent: SequenceEncoder] = [:]
        for (prefix, key) in Self.sequenceEncoderPrefixes {
            if key.sentenceLevel {
                sentenceEncoders[key.component] = sequenceEncoder(prefix)
            } else {
                wordEncoders[key.component] = sequenceEncoder(prefix)
            }
        }
        let merger = linear("merger_recipe", output: configuration.outputSize, input: 3 * hidden)
        var projections: [RecipeComponent: [RecipeComponent: Linear]] = [:]
        for (source, target) in Self.projectionPairs {
            projections[source, default: [:]][target] =
                linear("projector_recipes.\(source.rawValue).\(target.rawValue)", output: hidden, input: hidden)
        }
        self.init(configuration: configuration, wordEmbedding: embedding, wordEncoders: wordEncoders,
                  sentenceEncoders: sentenceEncoders, merger: merger, projections: projections)
    }

    /// Returns every parameter by its PyTorch name, the inverse of `init(configuration:parameters:)`.
    public func namedParameters() -> [String: Tensor] {
        var result: [String: Tensor] = ["text_encoder.word_embedding.weight": wordEmbedding.weight,
                                        "merger_recipe.weight": merger.weight,
                                        "merger_recipe.bias": merger.bias!]
        for (prefix, key) in Self.sequenceEncoderPrefixes {
            let encoder = key.sentenceLevel ? sentenceEncoders[key.component]! : wordEncoders[key.component]!
            result[prefix + "pos_encoder.weight"] = encoder.positions
            for (index, layer) in encoder.layers.enumerated() {
                let name = "\(prefix)tf.layers.\(index)."
                result[name + "self_attn.in_proj_weight"] = layer.attention.inputProjection.weight
                result[name + "self_attn.in_proj_bias"] = layer.attention.inputProjection.bias!
                result[name + "self_attn.out_proj.weight"] = layer.attention.outputProjection.weight
                result[name + "self_attn.out_proj.bias"] = layer.attention.outputProjection.bias!
                result[name + "linear1.weight"] = layer.feedForwardIn.weight
                result[name + "linear1.bias"] = layer.feedForwardIn.bias!
                result[name + "linear2.weight"] = layer.feedForwardOut.weight
                result[name + "linear2.bias"] = layer.feedForwardOut.bias!
                result[name + "norm1.weight"] = layer.attentionNorm.weight
                result[name + "norm1.bias"] = layer.attentionNorm.bias
                result[name + "norm2.weight"] = layer.feedForwardNorm.weight
                result[name + "norm2.bias"] = layer.feedForwardNorm.bias
            }
        }
        for (source, target) in Self.projectionPairs {
            let head = projections[source]![target]!
            result["projector_recipes.\(source.rawValue).\(target.rawValue).weight"] = head.weight
            result["projector_recipes.\(source.rawValue).\(target.rawValue).bias"] = head.bias!
        }
        return result
    }

    // MARK: - Names

    /// Every ordered pair of distinct components, the self-supervised heads' keys.
    public static var projectionPairs: [(RecipeComponent, RecipeComponent)] {
        RecipeComponent.allCases.flatMap { source in
            RecipeComponent.allCases.filter { $0 != source }.map { (source, $0) }
        }
    }

    /// Name prefix of each sequence encoder, with the component and level it serves.
    static var sequenceEncoderPrefixes: [(String, (component: RecipeComponent, sentenceLevel: Bool))] {
        RecipeComponent.allCases.map { ("text_encoder.tfs.\($0.rawValue).", ($0, false)) }
            + RecipeComponent.allCases.filter(\.isSentenceList)
            .map { ("text_encoder.merger.\($0.rawValue).", ($0, true)) }
    }

    private static func layerShapes(_ configuration: RecipeEncoderConfiguration) -> [(String, [Int])] {
        let hidden = configuration.hiddenSize, feedForward = configuration.feedForwardSize
        return [("self_attn.in_proj_weight", [3 * hidden, hidden]), ("self_attn.in_proj_bias", [3 * hidden]),
                ("self_attn.out_proj.weight", [hidden, hidden]), ("self_attn.out_proj.bias", [hidden]),
                ("linear1.weight", [feedForward, hidden]), ("linear1.bias", [feedForward]),
                ("linear2.weight", [hidden, feedForward]), ("linear2.bias", [hidden]),
                ("norm1.weight", [hidden]), ("norm1.bias", [hidden]),
                ("norm2.weight", [hidden]), ("norm2.bias", [hidden])]
    }
}
