import CBLAS

extension Tensor {
    /// Averages `[batch, length, features]` over the length dimension,
    /// counting only positions where `valid` is true (`valid` has
    /// `batch × length` flags, row-major). Returns `[batch, features]`.
    ///
    /// Each valid position is weighted by `1 / (validCount + 1e-12)`, as the
    /// masked average pooling of Salvador et al. (CVPR 2021) does, so a row
    /// with no valid position pools to a zero vector.
    /// - Complexity: O(batch × length × features), one `cblas_sgemv` per row.
    public func maskedMean(valid: [Bool]) -> Tensor {
        precondition(rank == 3, "masked mean expects [batch, length, features], got shape \(shape)")
        let batch = shape[0], length = shape[1], features = shape[2]
        precondition(valid.count == batch * length,
                     "masked mean needs \(batch * length) mask flags for shape \(shape), got \(valid.count)")
        var output = Tensor(shape: [batch, features])
        guard length > 0, features > 0 else { return output }

        var weights = [Float](repeating: 0, count: length)
        output.scalars.withUnsafeMutableBufferPointer { out in
            scalars.withUnsafeBufferPointer { x in
                for row in 0..<batch {
                    let flags = valid[(row * length)..<((row + 1) * length)]
                    let validCount = flags.reduce(0) { $0 + ($1 ? 1 : 0) }
                    let weight = 1 / (Float(validCount) + 1e-12)
                    for (position, flag) in flags.enumerated() { weights[position] = flag ? weight : 0 }
                    cblas_sgemv(CblasRowMajor, CblasTrans, Int32(length), Int32(features),
                                1, x.baseAddress! + row * length * features, Int32(features),
                                weights, 1, 0, out.baseAddress! + row * features, 1)
                }
            }
        }
        return output
    }
}
