/// Layer normalization over the last dimension (Ba, Kiros and Hinton, 2016),
/// as PyTorch's `nn.LayerNorm`: biased variance, `epsilon` added inside the
/// square root, then an elementwise affine transform.
public struct LayerNorm: Sendable {
    /// Elementwise scale (`gamma`), shape `[size]`.
    public let weight: Tensor
    /// Elementwise shift (`beta`), shape `[size]`.
    public let bias: Tensor
    /// Added to the variance before the square root; PyTorch's default is 1e-5.
    public let epsilon: Float

    /// Creates a layer from PyTorch-layout parameters.
    /// - Precondition: `weight` and `bias` are vectors of the same length.
    public init(weight: Tensor, bias: Tensor, epsilon: Float = 1e-5) {
        precondition(weight.rank == 1 && weight.shape == bias.shape,
                     "layer norm weight \(weight.shape) and bias \(bias.shape) must be vectors of one length")
        self.weight = weight
        self.bias = bias
        self.epsilon = epsilon
    }

    /// Number of features normalized together.
    public var size: Int { weight.count }

    /// Normalizes each row of `input` (shape `[..., size]`).
    /// - Complexity: O(input.count).
    public func callAsFunction(_ input: Tensor) -> Tensor {
        precondition(input.shape.last == size,
                     "layer norm expects last dimension \(size), got input shape \(input.shape)")
        var output = input
        let size = self.size
        guard size > 0 else { return output }
        let rows = input.count / size
        let epsilon = self.epsilon
        output.scalars.withUnsafeMutableBufferPointer { out in
            weight.scalars.withUnsafeBufferPointer { gamma in
                bias.scalars.withUnsafeBufferPointer { beta in
                    for row in 0..<rows {
                        let x = out.baseAddress! + row * size
                        let mean = vectorSum(x, count: size) / Float(size)
                        for i in 0..<size { x[i] -= mean }
                        let squares = vectorDot(x, x, count: size)
                        let scale = 1 / (squares / Float(size) + epsilon).squareRoot()
                        for i in 0..<size { x[i] = x[i] * scale * gamma[i] + beta[i] }
                    }
                }
            }
        }
        return output
    }
}
