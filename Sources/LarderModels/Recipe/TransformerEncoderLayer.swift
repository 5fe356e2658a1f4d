import LarderTensor

/// One post-norm transformer encoder layer with the defaults of PyTorch's
/// `nn.TransformerEncoderLayer`: self-attention, add and layer norm, then a
/// ReLU feed-forward block, add and layer norm (layer norm eps 1e-5, dropout
/// off at inference).
public struct TransformerEncoderLayer: Sendable {
    /// `self_attn`.
    public let attention: MultiheadAttention
    /// `linear1`, model width to feed-forward width.
    public let feedForwardIn: Linear
    /// `linear2`, feed-forward width back to model width.
    public let feedForwardOut: Linear
    /// `norm1`, after the attention block.
    public let attentionNorm: LayerNorm
    /// `norm2`, after the feed-forward block.
    public let feedForwardNorm: LayerNorm

    /// Creates a layer from its parts.
    public init(attention: MultiheadAttention, feedForwardIn: Linear, feedForwardOut: Linear,
                attentionNorm: LayerNorm, feedForwardNorm: LayerNorm) {
        self.attention = attention
        self.feedForwardIn = feedForwardIn
        self.feedForwardOut = feedForwardOut
        self.attentionNorm = attentionNorm
        self.feedForwardNorm = feedForwardNorm
    }

    /// Transforms `input` (`[batch, length, model]`); keys whose flag in
    /// `validKeys` is false are ignored by attention.
    public func callAsFunction(_ input: Tensor, validKeys: [Bool]) -> Tensor {
        var hidden = input
        hidden.add(attention(input, validKeys: validKeys))
        hidden = attentionNorm(hidden)

        var feedForward = feedForwardIn(hidden)
        feedForward.applyReLU()
        hidden.add(feedForwardOut(feedForward))
        return feedForwardNorm(hidden)
    }
}

extension Tensor {
    /// Adds `other` (same element count) elementwise.
    mutating func add(_ other: Tensor) {
        precondition(count == other.count, "cannot add shape \(other.shape) to shape \(shape)")
        scalars.withUnsafeMutableBufferPointer { x in
            other.scalars.withUnsafeBufferPointer { y in
                for i in x.indices { x[i] += y[i] }
            }
        }
    }
}
