import LarderTensor

// MARK: - Matrix products

extension Variable {
    /// Multiplies `[m, k]` by `[k, n]` (or by `[n, k]` transposed when
    /// `transposeB`), one `cblas_sgemm` forward and two backward.
    public func matmul(_ other: Variable, transposeB: Bool = false) -> Variable {
        precondition(rank == 2 && other.rank == 2, "matmul needs matrices, got \(shape) and \(other.shape)")
        let m = shape[0], k = shape[1]
        let n = transposeB ? other.shape[0] : other.shape[1]
        precondition((transposeB ? other.shape[1] : other.shape[0]) == k,
                     "matmul inner sizes differ: \(shape) x \(other.shape)\(transposeB ? "ᵀ" : "")")
        var output = [Float](repeating: 0, count: m * n)
        gemm(transposeB: transposeB, m: m, n: n, k: k, value.scalars, other.value.scalars, &output)
        let a = self, b = other
        return Variable(Tensor(shape: [m, n], scalars: output), inputs: [a, b]) { gradient in
            // dA = dC · op(B)ᵀ
            a.accumulateGradient { da in
                gemm(transposeB: !transposeB, m: m, n: k, k: n, gradient, b.value.scalars, beta: 1, da.baseAddress!)
            }
            // dB = Aᵀ · dC, or (dC)ᵀ · A when B was used transposed.
            b.accumulateGradient { db in
                if transposeB {
                    gemm(transposeA: true, m: n, n: k, k: m, gradient, a.value.scalars, beta: 1, db.baseAddress!)
                } else {
                    gemm(transposeA: true, m: k, n: n, k: m, a.value.scalars, gradient, beta: 1, db.baseAddress!)
                }
            }
        }
    }

    /// A fully connected layer in PyTorch's `nn.Linear` layout: `x · Wᵀ + b`
    /// over the last dimension, with `weight` `[out, in]` and `bias` `[out]`.
    /// Leading dimensions are kept.
    public func linear(weight: Variable, bias: Variable?) -> Variable {
        let inFeatures = shape.last ?? 0
        precondition(weight.rank == 2 && weight.shape[1] == inFeatures,
                     "linear weight \(weight.shape) does not take inputs of \(inFeatures) features (input \(shape))")
        let outFeatures = weight.shape[0]
        let rows = value.count / max(inFeatures, 1)
        var output = [Float](repeating: 0, count: rows * outFeatures)
        if let bias {
            precondition(bias.shape == [outFeatures], "linear bias \(bias.shape) must be [\(outFeatures)]")
            for row in 0..<rows {
                for column in 0..<outFeatures { output[row * outFeatures + column] = bias.value.scalars[column] }
            }
        }
        gemm(transposeB: true, m: rows, n: outFeatures, k: inFeatures,
             value.scalars, weight.value.scalars, beta: bias == nil ? 0 : 1, &output)
        let x = self
        let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
        return Variable(Tensor(shape: Array(shape.dropLast()) + [outFeatures], scalars: output),
                        inputs: inputs) { gradient in
            x.accumulateGradient { dx in
                gemm(m: rows, n: inFeatures, k: outFeatures, gradient, weight.value.scalars, beta: 1, dx.baseAddress!)
            }
            weight.accumulateGradient { dw in
                gemm(transposeA: true, m: outFeatures, n: inFeatures, k: rows,
                     gradient, x.value.scalars, beta: 1, dw.baseAddress!)
            }
            bias?.accumulateGradient { db in
                for row in 0..<rows {
                    for column in 0..<outFeatures { db[column] += gradient[row * outFeatures + column] }
                }
            }
        }
    }

    /// Batched matrix product of `[batch, m, k]` and `[batch, k, n]` (or
    /// `[batch, n, k]` transposed when `transposeB`), one `cblas_sgemm` per batch.
    public func batchedMatmul(_ other: Variable, transposeB: Bool = false) -> Variable {
        precondition(rank == 3 && other.rank == 3 && shape[0] == other.shape[0],
                     "batchedMatmul needs [batch, m, k] and [batch, k, n], got \(shape) and \(other.shape)")
        let batch = shape[0], m = shape[1], k = shape[2]
        let n = transposeB ? other.shape[1] : other.shape[2]
        precondition((transposeB ? other.shape[2] : other.shape[1]) == k,
                     "batchedMatmul inner sizes differ: \(shape) x \(other.shape)")
        let aStride = m * k, bStride = k * n, cStride = m * n
        var output = [Float](repeating: 0, count: batch * cStride)
        value.scalars.withUnsafeBufferPointer { a in
            other.value.scalars.withUnsafeBufferPointer { b in
                output.withUnsafeMutableBufferPointer { c in
                    for index in 0..<batch {
                        gemm(transposeB: transposeB, m: m, n: n, k: k,
                             a.baseAddress! + index * aStride, b.baseAddress! + index * bStride,
                             c.baseAddress! + index * cStride)
                    }
                }
            }
        }
        let a = self, b = other
        return Variable(Tensor(shape: [batch, m, n], scalars: output), inputs: [a, b]) { gradient in
            gradient.withUnsafeBufferPointer { dc in
                a.accumulateGradient { da in
                    b.value.scalars.withUnsafeBufferPointer { bv in
                        for index in 0..<batch {
                            gemm(transposeB: !transposeB, m: m, n: k, k: n,
                                 dc.baseAddress! + index * cStride, bv.baseAddress! + index * bStride,
                                 beta: 1, da.baseAddress! + index * aStride)
                        }
                    }
                }
                b.accumulateGradient { db in
                    a.value.scalars.withUnsafeBufferPointer { av in
                        for index in 0..<batch {
                            if transposeB {
                                gemm(transposeA: true, m: n, n: k, k: m,
                                     dc.baseAddress! + index * cStride, av.baseAddress! + index * aStride,
                                     beta: 1, db.baseAddress! + index * bStride)
                            } else {
                                gemm(transposeA: true, m: k, n: n, k: m,
                                     av.baseAddress! + index * aStride, dc.baseAddress! + index * cStride,
                                     beta: 1, db.baseAddress! + index * bStride)
                            }
                        }
                    }
                }
            }
        }
    }
}

// MARK: - Element-wise arithmetic

extension Variable {
    /// Number of dimensions.
    public var rank: Int { value.shape.count }

    /// Adds `other`, whose shape is a suffix of this shape (so `[T, D]`
    /// broadcasts over `[B, T, D]` and `[D]` over any `[..., D]`).
    public func adding(_ other: Variable) -> Variable {
        precondition(other.rank <= rank && Array(shape.suffix(other.rank)) == other.shape,
                     "cannot broadcast \(other.shape) over \(shape)")
        let period = other.value.count
        var output = value.scalars
        if period > 0 {
            for start in stride(from: 0, to: output.count, by: period) {
                for index in 0..<period { output[start + index] += other.value.scalars[index] }
            }
        }
        let a = self, b = other
        return Variable(Tensor(shape: shape, scalars: output), inputs: [a, b]) { gradient in
            a.accumulateGradient { da in
                for index in 0..<gradient.count { da[index] += gradient[index] }
            }
            b.accumulateGradient { db in
                guard period > 0 else { return }
                for start in stride(from: 0, to: gradient.count, by: period) {
                    for index in 0..<period { db[index] += gradient[start + index] }
                }
            }
        }
    }

    /// Multiplies every element by a constant.
    public func scaled(by factor: Float) -> Variable {
        let x = self
        return Variable(Tensor(shape: shape, scalars: value.scalars.map { $0 * factor }), inputs: [x]) { gradient in
            x.accumulateGradient { dx in
                for index in 0..<gradient.count { dx[index] += factor * gradient[index] }
            }
        }
    }

    /// The sum of all elements, as a `[1]` tensor.
    public func sum() -> Variable {
        let x = self
        return Variable(Tensor(shape: [1], scalars: [value.scalars.reduce(0, +)]), inputs: [x]) { gradient in
            x.accumulateGradient { dx in
                for index in 0..<dx.count { dx[index] += gradient[0] }
            }
        }
    }

    /// The same elements viewed with another shape of equal element count.
    public func reshaped(_ newShape: [Int]) -> Variable {
        precondition(newShape.reduce(1, *) == value.count, "cannot reshape \(shape) to \(newShape)")
        let x = self
        return Variable(Tensor(shape: newShape, scalars: value.scalars), inputs: [x]) { gradient in
            x.accumulateGradient { dx in
                for index in 0..<gradient.count { dx[index] += gradient[index] }
            }
        }
    }
}
