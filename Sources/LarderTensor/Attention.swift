import CBLAS

/// Multi-head scaled dot-product self-attention (Vaswani et al., 2017) with
/// the parameter layout of PyTorch's `nn.MultiheadAttention` (one packed
/// query/key/value projection, then an output projection). timm's ViT
/// attention (`qkv`, `proj`) uses the same packed layout.
public struct MultiheadAttention: Sendable {
    /// Packed query, key and value projection: weight `[3 × model, model]`
    /// (`in_proj_weight`), bias `[3 × model]` (`in_proj_bias`).
    public let inputProjection: Linear
    /// Output projection, `[model, model]` (`out_proj`).
    public let outputProjection: Linear
    /// Number of heads; `model` is divisible by it.
    public let headCount: Int

    /// Creates an attention layer from its projections.
    /// - Precondition: the projections have the packed shapes above and the
    ///   model width is divisible by `headCount`.
    public init(inputProjection: Linear, outputProjection: Linear, headCount: Int) {
        let model = outputProjection.outputSize
        precondition(headCount > 0 && model % headCount == 0,
                     "attention width \(model) is not divisible by \(headCount) heads")
        precondition(inputProjection.inputSize == model && inputProjection.outputSize == 3 * model
                        && outputProjection.inputSize == model,
                     "attention projections \(inputProjection.weight.shape) and \(outputProjection.weight.shape) do not fit width \(model)")
        self.inputProjection = inputProjection
        self.outputProjection = outputProjection
        self.headCount = headCount
    }

    /// Model width (`embed_dim`).
    public var modelSize: Int { outputProjection.outputSize }

    /// Attends every position of each sequence in `input` (`[batch, length, model]`)
    /// to the positions of the same sequence whose flag in `validKeys`
    /// (`batch × length` flags, row-major; nil means all valid) is true.
    ///
    /// This matches `nn.MultiheadAttention(x, x, x, key_padding_mask: !validKeys)`
    /// with the batch first. A query whose keys are all masked gets a zero
    /// context vector (PyTorch returns NaN there), so its output is the output
    /// projection's bias.
    /// - Complexity: O(batch × length × model² + batch × length² × model).
    public func callAsFunction(_ input: Tensor, validKeys: [Bool]? = nil) -> Tensor {
        precondition(input.rank == 3 && input.shape[2] == modelSize,
                     "attention expects [batch, length, \(modelSize)], got shape \(input.shape)")
        let batch = input.shape[0], length = input.shape[1], model = modelSize
        if let validKeys {
            precondition(validKeys.count == batch * length,
                         "attention needs \(batch * length) key flags for shape \(input.shape), got \(validKeys.count)")
        }
        let headSize = model / headCount
        let scale = 1 / Float(headSize).squareRoot()
        let packed = inputProjection(input)  // [batch, length, 3 × model]
        var context = Tensor(shape: [batch, length, model])
        guard batch > 0, length > 0 else { return outputProjection(context) }

        var scores = [Float](repeating: 0, count: length * length)
        packed.scalars.withUnsafeBufferPointer { qkv in
            context.scalars.withUnsafeMutableBufferPointer { out in
                scores.withUnsafeMutableBufferPointer { s in
                    for sequence in 0..<batch {
                        let base = qkv.baseAddress! + sequence * length * 3 * model
                        for head in 0..<headCount {
                            let query = base + head * headSize
                            let key = base + model + head * headSize
                            let value = base + 2 * model + head * headSize
                            // scores = scale · Q Kᵀ, reading Q and K in place with stride 3 × model.
                            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans,
                                        Int32(length), Int32(length), Int32(headSize),
                                        scale, query, Int32(3 * model), key, Int32(3 * model),
                                        0, s.baseAddress, Int32(length))
                            if let validKeys {
                                for position in 0..<length where !validKeys[sequence * length + position] {
                                    for row in 0..<length { s[row * length + position] = -.infinity }
                                }
                            }
                            for row in 0..<length {
                                softmaxInPlace(s.baseAddress! + row * length, count: length)
                            }
                            // context[:, head] = scores · V
                            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans,
                                        Int32(length), Int32(headSize), Int32(length),
                                        1, s.baseAddress, Int32(length), value, Int32(3 * model),
                                        0, out.baseAddress! + sequence * length * model + head * headSize,
                                        Int32(model))
                        }
                    }
                }
            }
        }
        return outputProjection(context)
    }
}
