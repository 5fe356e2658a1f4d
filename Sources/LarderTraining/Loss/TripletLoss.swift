import LarderTensor

/// The bidirectional triplet loss of Salvador et al. (CVPR 2021) on cosine
/// distance, with every other item of the batch as a negative.
///
/// With `S` the cosine similarity matrix of L2-normalised anchors `a` and
/// positives `p` (so `S[i][i]` are the true pairs), each ordered pair `i ≠ j`
/// costs `max(0, margin − S[i][i] + S[i][j])` (anchor `i` against negative
/// `p[j]`) plus `max(0, margin − S[i][i] + S[j][i])` (positive `i` against
/// negative `a[j]`). The loss is the sum of both directions' costs divided by
/// the `n · (n − 1)` negatives. The authors' published code divides by `n²`
/// instead, which only rescales the loss by `(n − 1) / n`.
public struct TripletLoss: Sendable {
    /// Required gap between a positive's and a negative's cosine similarity.
    public var margin: Float

    /// Creates the loss with the given margin (0.3 in the paper).
    public init(margin: Float = 0.3) { self.margin = margin }

    /// The loss of a batch of `[n, d]` anchors against `[n, d]` positives, a `[1]` variable.
    /// A batch of one pair has no negatives and costs 0.
    public func callAsFunction(_ anchors: Variable, _ positives: Variable) -> Variable {
        precondition(anchors.shape == positives.shape && anchors.rank == 2,
                     "triplet loss needs two [n, d] batches of the same shape, got \(anchors.shape) and \(positives.shape)")
        return Self.loss(similarity: anchors.cosineSimilarity(positives), margin: margin)
    }

    /// The loss given the `[n, n]` similarity matrix of anchors (rows) and positives (columns).
    static func loss(similarity: Variable, margin: Float) -> Variable {
        let n = similarity.shape[0]
        let s = similarity.value.scalars
        let negatives = Float(max(n * (n - 1), 1))
        var total: Float = 0
        // Gradient of the summed hinge costs with respect to S, before dividing by the negatives.
        var slope = [Float](repeating: 0, count: n * n)
        for i in 0..<n {
            let positive = s[i * n + i]
            for j in 0..<n where j != i {
                let anchorCost = margin - positive + s[i * n + j]
                if anchorCost > 0 {
                    total += anchorCost
                    slope[i * n + j] += 1
                    slope[i * n + i] -= 1
                }
                let positiveCost = margin - positive + s[j * n + i]
                if positiveCost > 0 {
                    total += positiveCost
                    slope[j * n + i] += 1
                    slope[i * n + i] -= 1
                }
            }
        }
        return Variable(Tensor(shape: [1], scalars: [total / negatives]), inputs: [similarity]) { gradient in
            let scale = gradient[0] / negatives
            similarity.accumulateGradient { dS in
                for index in 0..<slope.count { dS[index] += scale * slope[index] }
            }
        }
    }
}
