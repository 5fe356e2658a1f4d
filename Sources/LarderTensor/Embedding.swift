/// A lookup table from token ids to vectors, as PyTorch's `nn.Embedding`.
public struct Embedding: Sendable {
    /// One row per id, shape `[count, dimension]`.
    public let weight: Tensor

    /// Creates a table from its weight matrix.
    /// - Precondition: `weight` is a matrix.
    public init(weight: Tensor) {
        precondition(weight.rank == 2, "embedding weight must be a matrix, got shape \(weight.shape)")
        self.weight = weight
    }

    /// Number of ids in the table.
    public var count: Int { weight.shape[0] }
    /// Length of each vector.
    public var dimension: Int { weight.shape[1] }

    /// Returns the rows for `ids`, shape `[ids.count, dimension]`.
    /// - Precondition: every id is in `0..<count`; the tokenizer and the model
    ///   loader guarantee this by checking the vocabulary size against `count`.
    public func callAsFunction(_ ids: [Int]) -> Tensor {
        let dimension = self.dimension, count = self.count
        var output = Tensor(shape: [ids.count, dimension])
        output.scalars.withUnsafeMutableBufferPointer { out in
            weight.scalars.withUnsafeBufferPointer { table in
                for (row, id) in ids.enumerated() {
                    precondition(id >= 0 && id < count, "token id \(id) is outside the embedding table of \(count) rows")
                    (out.baseAddress! + row * dimension)
                        .update(from: table.baseAddress! + id * dimension, count: dimension)
                }
            }
        }
        return output
    }
}
