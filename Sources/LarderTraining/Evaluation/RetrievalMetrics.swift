/// Ranking quality of one retrieval direction: the median rank of the true
/// match (medR, lower is better) and Recall@K, the fraction of queries whose
/// true match ranks in the top K (higher is better).
///
/// These are the metrics of Salvador et al., "Revamping Cross-Modal Recipe
/// Retrieval with Hierarchical Transformers and Self-supervised Learning"
/// (CVPR 2021), which report recall as a percentage; here it is a fraction.
public struct RetrievalMetrics: Sendable, Equatable, Codable {
    /// Median of the true matches' ranks; the mean of the two middle ranks for an even count.
    public var medianRank: Double
    /// Fraction of queries whose true match ranks first.
    public var recallAt1: Double
    /// Fraction of queries whose true match ranks in the top 5.
    public var recallAt5: Double
    /// Fraction of queries whose true match ranks in the top 10.
    public var recallAt10: Double

    /// Creates metrics from their values.
    public init(medianRank: Double, recallAt1: Double, recallAt5: Double, recallAt10: Double) {
        self.medianRank = medianRank
        self.recallAt1 = recallAt1
        self.recallAt5 = recallAt5
        self.recallAt10 = recallAt10
    }

    /// Computes the metrics of a list of 1-based ranks.
    /// - Precondition: `ranks` is not empty.
    public init(ranks: [Int]) {
        precondition(!ranks.isEmpty, "retrieval metrics need at least one rank")
        let sorted = ranks.sorted()
        let middle = sorted.count / 2
        if sorted.count % 2 == 1 {
            medianRank = Double(sorted[middle])
        } else {
            medianRank = Double(sorted[middle - 1] + sorted[middle]) / 2
        }
        let count = Double(ranks.count)
        recallAt1 = Double(ranks.filter { $0 <= 1 }.count) / count
        recallAt5 = Double(ranks.filter { $0 <= 5 }.count) / count
        recallAt10 = Double(ranks.filter { $0 <= 10 }.count) / count
    }

    /// The element-wise mean of several metrics.
    /// - Precondition: `metrics` is not empty.
    public static func mean(_ metrics: [RetrievalMetrics]) -> RetrievalMetrics {
        precondition(!metrics.isEmpty, "the mean needs at least one set of metrics")
        let count = Double(metrics.count)
        return RetrievalMetrics(
            medianRank: metrics.map(\.medianRank).reduce(0, +) / count,
            recallAt1: metrics.map(\.recallAt1).reduce(0, +) / count,
            recallAt5: metrics.map(\.recallAt5).reduce(0, +) / count,
            recallAt10: metrics.map(\.recallAt10).reduce(0, +) / count)
    }
}

/// Both retrieval directions measured on rankings of one size.
public struct RetrievalReport: Sendable, Equatable, Codable {
    /// Number of candidates in each ranking (N in "1k" or "10k").
    public var rankingSize: Int
    /// Number of random subsets of `rankingSize` pairs the metrics are averaged over.
    public var subsetCount: Int
    /// Image queries ranking recipes.
    public var imageToRecipe: RetrievalMetrics
    /// Recipe queries ranking images.
    public var recipeToImage: RetrievalMetrics
}
