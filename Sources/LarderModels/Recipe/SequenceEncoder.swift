import LarderTensor

/// A transformer encoder over one kind of sequence (the words of a title or
/// sentence, or the sentence vectors of a list) followed by masked mean
/// pooling: `SingleTransformerEncoder` in the authors' PyTorch code. Adds a
/// learned positional embedding (`pos_encoder.weight`) before the layers.
public struct SequenceEncoder: Sendable {
    /// Learned positional embedding, `[positionCount, model]`.
    public let positions: Tensor
    /// The stacked layers (`tf.layers.N`), applied in order.
    public let layers: [TransformerEncoderLayer]

    /// Creates an encoder from its positional table and layers.
    public init(positions: Tensor, layers: [TransformerEncoderLayer]) {
        precondition(positions.rank == 2, "positional embedding must be a matrix, got \(positions.shape)")
        self.positions = positions
        self.layers = layers
    }

    /// Encodes `input` (`[batch, length, model]`) and returns the mean of the
    /// outputs at valid positions (`[batch, model]`). A sequence with no valid
    /// position pools to zeros.
    /// - Precondition: `length` is at most the number of positional rows.
    public func callAsFunction(_ input: Tensor, valid: [Bool]) -> Tensor {
        let batch = input.shape[0], length = input.shape[1], model = input.shape[2]
        precondition(length <= positions.shape[0],
                     "sequence of \(length) exceeds the \(positions.shape[0]) learned positions")
        var hidden = input
        hidden.scalars.withUnsafeMutableBufferPointer { x in
            positions.scalars.withUnsafeBufferPointer { table in
                for sequence in 0..<batch {
                    let base = sequence * length * model
                    for i in 0..<(length * model) { x[base + i] += table[i] }
                }
            }
        }
        for layer in layers {
            hidden = layer(hidden, validKeys: valid)
        }
        return hidden.maskedMean(valid: valid)
    }
}
