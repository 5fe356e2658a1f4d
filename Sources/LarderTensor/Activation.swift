import Foundation

// MARK: - Elementwise activations

extension Tensor {
    /// Replaces every element `x` with `max(0, x)`.
    public mutating func applyReLU() {
        scalars.withUnsafeMutableBufferPointer { x in
            for i in x.indices { x[i] = Swift.max(0, x[i]) }
        }
    }

    /// Returns `max(0, x)` for every element.
    public func relu() -> Tensor {
        var result = self
        result.applyReLU()
        return result
    }

    /// Replaces every element with the exact (erf) form of GELU,
    /// `x/2 · (1 + erf(x/√2))` (Hendrycks and Gimpel, 2016), which is
    /// PyTorch's `nn.GELU()` default.
    public mutating func applyGELU() {
        let inverseRoot2: Float = 0.70710678118654752
        scalars.withUnsafeMutableBufferPointer { x in
            for i in x.indices { x[i] = 0.5 * x[i] * (1 + erff(x[i] * inverseRoot2)) }
        }
    }

    /// Returns the exact (erf) GELU of every element.
    public func gelu() -> Tensor {
        var result = self
        result.applyGELU()
        return result
    }

    /// Replaces every element with its hyperbolic tangent.
    public mutating func applyTanh() {
        scalars.withUnsafeMutableBufferPointer { x in
            for i in x.indices { x[i] = tanhf(x[i]) }
        }
    }

    /// Returns the hyperbolic tangent of every element.
    public func tanh() -> Tensor {
        var result = self
        result.applyTanh()
        return result
    }
}

// MARK: - Softmax

extension Tensor {
    /// Returns the softmax over the last dimension, computed stably by
    /// subtracting each row's maximum first.
    ///
    /// A row whose elements are all `-infinity` (every position masked out)
    /// becomes all zeros instead of PyTorch's NaN, so that fully padded rows
    /// stay finite.
    public func softmax() -> Tensor {
        var result = self
        guard let width = shape.last, width > 0 else { return result }
        result.scalars.withUnsafeMutableBufferPointer { buffer in
            for row in 0..<(buffer.count / width) {
                softmaxInPlace(buffer.baseAddress! + row * width, count: width)
            }
        }
        return result
    }
}

/// Applies a numerically stable softmax to `count` floats in place; a row of
/// only `-infinity` becomes zeros.
func softmaxInPlace(_ x: UnsafeMutablePointer<Float>, count: Int) {
    let maximum = vectorMax(x, count: count)
    guard maximum > -.infinity else {
        x.update(repeating: 0, count: count)
        return
    }
    for i in 0..<count { x[i] = expf(x[i] - maximum) }
    let scale = 1 / vectorSum(x, count: count)
    for i in 0..<count { x[i] *= scale }
}
