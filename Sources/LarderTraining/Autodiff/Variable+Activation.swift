import Foundation
import LarderTensor

// MARK: - Activations

extension Variable {
    /// Rectified linear unit, `max(0, x)`; the gradient at 0 is 0, as in PyTorch.
    public func relu() -> Variable {
        let x = self
        let output = value.scalars.map { max($0, 0) }
        return Variable(Tensor(shape: shape, scalars: output), inputs: [x]) { gradient in
            x.accumulateGradient { dx in
                for index in 0..<gradient.count where x.value.scalars[index] > 0 {
                    dx[index] += gradient[index]
                }
            }
        }
    }

    /// Hyperbolic tangent; the derivative is `1 - tanh²`.
    public func tanh() -> Variable {
        let x = self
        let output = value.scalars.map { Foundation.tanh($0) }
        return Variable(Tensor(shape: shape, scalars: output), inputs: [x]) { gradient in
            x.accumulateGradient { dx in
                for index in 0..<gradient.count {
                    let y = output[index]
                    dx[index] += gradient[index] * (1 - y * y)
                }
            }
        }
    }

    /// Softmax over the last dimension, where `keep(row, column)` false
    /// excludes an entry (probability 0, as a `-inf` score would give).
    ///
    /// A row with every entry excluded outputs zeros, where PyTorch would
    /// give NaN; such rows belong to padding that pooling ignores anyway.
    public func maskedSoftmax(keep: (_ row: Int, _ column: Int) -> Bool) -> Variable {
        let columns = shape.last ?? 0
        let rows = columns == 0 ? 0 : value.count / columns
        var output = [Float](repeating: 0, count: value.count)
        var kept = [Bool](repeating: false, count: value.count)
        for row in 0..<rows {
            let base = row * columns
            var maximum = -Float.infinity
            for column in 0..<columns where keep(row, column) {
                kept[base + column] = true
                maximum = max(maximum, value.scalars[base + column])
            }
            guard maximum > -Float.infinity else { continue }
            var total: Float = 0
            for column in 0..<columns where kept[base + column] {
                let e = Foundation.exp(value.scalars[base + column] - maximum)
                output[base + column] = e
                total += e
            }
            let inverse = 1 / total
            for column in 0..<columns { output[base + column] *= inverse }
        }
        let x = self
        return Variable(Tensor(shape: shape, scalars: output), inputs: [x]) { gradient in
            // dx = y ⊙ (dy - Σ dy ⊙ y), row by row.
            x.accumulateGradient { dx in
                for row in 0..<rows {
                    let base = row * columns
                    var dot: Float = 0
                    for column in 0..<columns { dot += gradient[base + column] * output[base + column] }
                    for column in 0..<columns {
                        dx[base + column] += output[base + column] * (gradient[base + column] - dot)
                    }
                }
            }
        }
    }
}

// MARK: - Normalisation

extension Variable {
    /// Layer normalisation over the last dimension (Ba, Kiros and Hinton,
    /// 2016) with PyTorch's `nn.LayerNorm` definition: biased variance, `eps`
    /// inside the square root, then `gamma ⊙ x̂ + beta`.
    public func layerNorm(gamma: Variable, beta: Variable, epsilon: Float = 1e-5) -> Variable {
        let width = shape.last ?? 0
        precondition(gamma.shape == [width] && beta.shape == [width],
                     "layer norm weights \(gamma.shape), \(beta.shape) must be [\(width)]")
        let rows = width == 0 ? 0 : value.count / width
        var normalized = [Float](repeating: 0, count: value.count)
        var inverseDeviation = [Float](repeating: 0, count: rows)
        var output = [Float](repeating: 0, count: value.count)
        for row in 0..<rows {
            let base = row * width
            var mean: Float = 0
            for index in 0..<width { mean += value.scalars[base + index] }
            mean /= Float(width)
            var variance: Float = 0
            for index in 0..<width {
                let centred = value.scalars[base + index] - mean
                variance += centred * centred
            }
            variance /= Float(width)
            let inverse = 1 / (variance + epsilon).squareRoot()
            inverseDeviation[row] = inverse
            for index in 0..<width {
                let xHat = (value.scalars[base + index] - mean) * inverse
                normalized[base + index] = xHat
                output[base + index] = xHat * gamma.value.scalars[index] + beta.value.scalars[index]
            }
        }
        let x = self
        return Variable(Tensor(shape: shape, scalars: output), inputs: [x, gamma, beta]) { gradient in
            x.accumulateGradient { dx in
                // dx = inv · (g - mean(g) - x̂ · mean(g ⊙ x̂)) with g = dy ⊙ gamma.
                for row in 0..<rows {
                    let base = row * width
                    var meanG: Float = 0
                    var meanGX: Float = 0
                    for index in 0..<width {
                        let g = gradient[base + index] * gamma.value.scalars[index]
                        meanG += g
                        meanGX += g * normalized[base + index]
                    }
                    meanG /= Float(width)
                    meanGX /= Float(width)
                    for index in 0..<width {
                        let g = gradient[base + index] * gamma.value.scalars[index]
                        dx[base + index] += inverseDeviation[row] * (g - meanG - normalized[base + index] * meanGX)
                    }
                }
            }
            gamma.accumulateGradient { dGamma in
                for row in 0..<rows {
                    for index in 0..<width { dGamma[index] += gradient[row * width + index] * normalized[row * width + index] }
                }
            }
            beta.accumulateGradient { dBeta in
                for row in 0..<rows {
                    for index in 0..<width { dBeta[index] += gradient[row * width + index] }
                }
            }
        }
    }

    /// Each row (last dimension) divided by its L2 norm, clamped below by
    /// `epsilon` as PyTorch's `F.normalize` does.
    public func l2Normalized(epsilon: Float = 1e-12) -> Variable {
        let width = shape.last ?? 0
        let rows = width == 0 ? 0 : value.count / width
        var norms = [Float](repeating: 0, count: rows)
        var output = value.scalars
        for row in 0..<rows {
            let base = row * width
            var squares: Float = 0
            for index in 0..<width { squares += output[base + index] * output[base + index] }
            let norm = max(squares.squareRoot(), epsilon)
            norms[row] = norm
            for index in 0..<width { output[base + index] /= norm }
        }
        let x = self
        return Variable(Tensor(shape: shape, scalars: output), inputs: [x]) { gradient in
            // dx = (dy - y · (y · dy)) / ‖x‖
            x.accumulateGradient { dx in
                for row in 0..<rows {
                    let base = row * width
                    var dot: Float = 0
                    for index in 0..<width { dot += output[base + index] * gradient[base + index] }
                    for index in 0..<width {
                        dx[base + index] += (gradient[base + index] - output[base + index] * dot) / norms[row]
                    }
                }
            }
        }
    }

    /// Cosine similarity of every row of `self` `[n, d]` with every row of
    /// `other` `[m, d]`: L2 normalisation, then one matrix product, `[n, m]`.
    public func cosineSimilarity(_ other: Variable) -> Variable {
        l2Normalized().matmul(other.l2Normalized(), transposeB: true)
    }
}
