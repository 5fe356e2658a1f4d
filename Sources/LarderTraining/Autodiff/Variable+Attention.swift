import Foundation
import LarderTensor

/// Weights of one multi-head self-attention block in PyTorch's
/// `nn.MultiheadAttention` layout: the query, key and value projections
/// packed in `inProjectionWeight` `[3 · width, width]` and
/// `inProjectionBias` `[3 · width]`, then the output projection.
public struct AttentionWeights {
    /// Packed query, key and value projection weights, `[3 · width, width]`.
    public var inProjectionWeight: Variable
    /// Packed query, key and value biases, `[3 · width]`.
    public var inProjectionBias: Variable
    /// Output projection weight, `[width, width]`.
    public var outProjectionWeight: Variable
    /// Output projection bias, `[width]`.
    public var outProjectionBias: Variable

    /// Creates the weights of one attention block.
    public init(inProjectionWeight: Variable, inProjectionBias: Variable,
                outProjectionWeight: Variable, outProjectionBias: Variable) {
        self.inProjectionWeight = inProjectionWeight
        self.inProjectionBias = inProjectionBias
        self.outProjectionWeight = outProjectionWeight
        self.outProjectionBias = outProjectionBias
    }
}

extension Variable {
    /// Multi-head scaled dot-product self-attention (Vaswani et al.,
    /// "Attention Is All You Need", 2017) over `[batch, time, width]`, built
    /// from differentiable parts: projections, head split, batched products,
    /// masked softmax, head merge and the output projection.
    ///
    /// `keyMask[batch * time]` is true for real tokens; padded keys get zero
    /// attention, as PyTorch's `key_padding_mask` gives them.
    /// - Precondition: `width` is a multiple of `heads`.
    public func multiHeadSelfAttention(_ weights: AttentionWeights, heads: Int, keyMask: [Bool]) -> Variable {
        precondition(rank == 3, "self-attention needs [batch, time, width], got \(shape)")
        let batch = shape[0], time = shape[1], width = shape[2]
        precondition(heads > 0 && width % heads == 0, "width \(width) is not a multiple of \(heads) heads")
        precondition(keyMask.count == batch * time, "key mask has \(keyMask.count) entries for \(batch) x \(time) tokens")
        let headWidth = width / heads

        func projectHeads(_ block: Int) -> Variable {
            let rows = (block * width)..<((block + 1) * width)
            return linear(weight: weights.inProjectionWeight.slicedRows(rows),
                          bias: weights.inProjectionBias.slicedRows(rows))
                .reshaped([batch, time, heads, headWidth])
                .swappingMiddleAxes()
                .reshaped([batch * heads, time, headWidth])
        }
        let query = projectHeads(0)
        let key = projectHeads(1)
        let valueHeads = projectHeads(2)

        let scores = query.batchedMatmul(key, transposeB: true).scaled(by: 1 / Float(headWidth).squareRoot())
        let rowsPerBatch = heads * time
        let attention = scores.maskedSoftmax { row, column in keyMask[(row / rowsPerBatch) * time + column] }
        return attention.batchedMatmul(valueHeads)
            .reshaped([batch, heads, time, headWidth])
            .swappingMiddleAxes()
            .reshaped([batch, time, width])
            .linear(weight: weights.outProjectionWeight, bias: weights.outProjectionBias)
    }
}
