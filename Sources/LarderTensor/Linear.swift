import CBLAS

/// A fully connected layer, `y = x Wᵀ + b`, with the weight in PyTorch's
/// `nn.Linear` layout (`[outputSize, inputSize]`).
public struct Linear: Sendable {
    /// Weight matrix, shape `[outputSize, inputSize]`.
    public let weight: Tensor
    /// Bias vector, shape `[outputSize]`, or nil for a layer without bias.
    public let bias: Tensor?

    /// Creates a layer from PyTorch-layout parameters.
    /// - Precondition: `weight` is a matrix and `bias`, when given, has one element per output row.
    public init(weight: Tensor, bias: Tensor?) {
        precondition(weight.rank == 2, "linear weight must be a matrix, got shape \(weight.shape)")
        if let bias {
            precondition(bias.shape == [weight.shape[0]],
                         "linear bias shape \(bias.shape) does not match weight shape \(weight.shape)")
        }
        self.weight = weight
        self.bias = bias
    }

    /// Number of input features.
    public var inputSize: Int { weight.shape[1] }
    /// Number of output features.
    public var outputSize: Int { weight.shape[0] }

    /// Applies the layer to every row of `input` (shape `[..., inputSize]`),
    /// returning shape `[..., outputSize]`, in one `cblas_sgemm` call.
    /// - Complexity: O(rows × inputSize × outputSize).
    public func callAsFunction(_ input: Tensor) -> Tensor {
        precondition(input.shape.last == inputSize,
                     "linear layer expects last dimension \(inputSize), got input shape \(input.shape)")
        let rows = input.count / Swift.max(inputSize, 1)
        var output = Tensor(shape: Array(input.shape.dropLast()) + [outputSize])
        guard rows > 0, outputSize > 0 else { return output }

        let inputSize = self.inputSize, outputSize = self.outputSize
        output.scalars.withUnsafeMutableBufferPointer { out in
            if let bias {
                // Start every output row at the bias, then accumulate x Wᵀ on top (beta = 1).
                bias.scalars.withUnsafeBufferPointer { b in
                    for row in 0..<rows {
                        (out.baseAddress! + row * outputSize).update(from: b.baseAddress!, count: outputSize)
                    }
                }
            }
            input.scalars.withUnsafeBufferPointer { x in
                weight.scalars.withUnsafeBufferPointer { w in
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans,
                                Int32(rows), Int32(outputSize), Int32(inputSize),
                                1, x.baseAddress, Int32(inputSize),
                                w.baseAddress, Int32(inputSize),
                                bias == nil ? 0 : 1, out.baseAddress, Int32(outputSize))
                }
            }
        }
        return output
    }
}
