import LarderTensor

/// An error in the input of a retrieval evaluation.
public enum EvaluationError: Error, Equatable, CustomStringConvertible {
    /// The image and recipe embeddings do not pair up row by row.
    case shapeMismatch(images: [Int], recipes: [Int])
    /// There are no pairs to rank.
    case empty
    /// A requested ranking size or subset count is not positive.
    case invalidParameter(name: String, value: Int)

    public var description: String {
        switch self {
        case .shapeMismatch(let images, let recipes):
            return "image embeddings \(images) and recipe embeddings \(recipes) must both be [pairs, dimension] with the same shape; row i of each must be the same pair"
        case .empty:
            return "no pairs to evaluate; give at least one image-recipe pair"
        case .invalidParameter(let name, let value):
            return "invalid \(name) \(value); it must be at least 1"
        }
    }
}

/// The cross-modal retrieval protocol of Salvador et al. (CVPR 2021), which
/// follows earlier Recipe1M work: draw random subsets of N held-out pairs, rank
/// all N candidates for every query by cosine similarity, and average medR and
/// Recall@1/5/10 over the subsets, for image-to-recipe and recipe-to-image.
///
/// The rank of a true match is 1 plus the number of candidates strictly more
/// similar to the query than the match, so ties count in the match's favour.
public enum RetrievalEvaluation {
    /// Ranking sizes of the published protocol: 1k and 10k candidates.
    public static let standardRankingSizes = [1000, 10000]
    /// Number of random subsets per ranking size in the published protocol.
    public static let standardSubsetCount = 10

    // MARK: - Ranks

    /// Returns, for each query row, the rank of candidate row i among all
    /// candidate rows by cosine similarity to query row i.
    ///
    /// Rows are L2-normalised first; the similarity matrix is one `cblas_sgemm`.
    /// - Complexity: O(n² · d) for n pairs of dimension d.
    /// - Precondition: both tensors are `[n, d]` with the same shape.
    public static func ranks(queries: Tensor, candidates: Tensor) -> [Int] {
        precondition(queries.rank == 2 && queries.shape == candidates.shape,
                     "queries \(queries.shape) and candidates \(candidates.shape) must be [n, d] alike")
        let count = queries.shape[0]
        let dimension = queries.shape[1]
        let similarity = similarityMatrix(normalizedRows(queries), normalizedRows(candidates),
                                          count: count, dimension: dimension)
        var ranks = [Int](repeating: 0, count: count)
        for row in 0..<count {
            let base = row * count
            let matchSimilarity = similarity[base + row]
            var closer = 0
            for column in 0..<count where similarity[base + column] > matchSimilarity {
                closer += 1
            }
            ranks[row] = closer + 1
        }
        return ranks
    }

    // MARK: - Protocol

    /// Runs the protocol on paired embeddings (row i of `images` and of
    /// `recipes` is pair i).
    ///
    /// For each ranking size no larger than the number of pairs, `subsetCount`
    /// subsets of that size are drawn without replacement from a generator
    /// seeded with `seed`. When every requested size is larger than the set,
    /// the whole set is ranked once instead (every subset would be the whole set).
    /// - Throws: `EvaluationError` for mismatched shapes, no pairs or non-positive parameters.
    public static func evaluate(images: Tensor, recipes: Tensor,
                                rankingSizes: [Int] = standardRankingSizes,
                                subsetCount: Int = standardSubsetCount,
                                seed: UInt64 = 0) throws -> [RetrievalReport] {
        guard images.rank == 2, images.shape == recipes.shape else {
            throw EvaluationError.shapeMismatch(images: images.shape, recipes: recipes.shape)
        }
        let pairCount = images.shape[0]
        guard pairCount > 0 else { throw EvaluationError.empty }
        guard subsetCount > 0 else { throw EvaluationError.invalidParameter(name: "subset count", value: subsetCount) }
        for size in rankingSizes where size <= 0 {
            throw EvaluationError.invalidParameter(name: "ranking size", value: size)
        }

        let fitting = rankingSizes.filter { $0 <= pairCount }
        guard !fitting.isEmpty else {
            return [report(images: images, recipes: recipes, rows: Array(0..<pairCount),
                           subsets: [Array(0..<pairCount)])]
        }
        var generator = SplitMix64(seed: seed)
        return fitting.map { size in
            let subsets = (0..<subsetCount).map { _ in
                Array((0..<pairCount).shuffled(using: &generator).prefix(size))
            }
            return report(images: images, recipes: recipes, rows: Array(0..<pairCount), subsets: subsets)
        }
    }

    private static func report(images: Tensor, recipes: Tensor, rows: [Int],
                               subsets: [[Int]]) -> RetrievalReport {
        var imageToRecipe: [RetrievalMetrics] = []
        var recipeToImage: [RetrievalMetrics] = []
        for subset in subsets {
            let imageRows = gatherRows(images, subset)
            let recipeRows = gatherRows(recipes, subset)
            imageToRecipe.append(RetrievalMetrics(ranks: ranks(queries: imageRows, candidates: recipeRows)))
            recipeToImage.append(RetrievalMetrics(ranks: ranks(queries: recipeRows, candidates: imageRows)))
        }
        return RetrievalReport(rankingSize: subsets[0].count, subsetCount: subsets.count,
                               imageToRecipe: .mean(imageToRecipe), recipeToImage: .mean(recipeToImage))
    }

    // MARK: - Helpers

    private static func gatherRows(_ tensor: Tensor, _ rows: [Int]) -> Tensor {
        let dimension = tensor.shape[1]
        var scalars = [Float]()
        scalars.reserveCapacity(rows.count * dimension)
        for row in rows {
            scalars.append(contentsOf: tensor.scalars[(row * dimension)..<((row + 1) * dimension)])
        }
        return Tensor(shape: [rows.count, dimension], scalars: scalars)
    }

    /// Rows scaled to unit L2 norm; an all-zero row stays zero.
    static func normalizedRows(_ tensor: Tensor) -> [Float] {
        let dimension = tensor.shape[1]
        var scalars = tensor.scalars
        for row in 0..<tensor.shape[0] {
            let range = (row * dimension)..<((row + 1) * dimension)
            var squares: Float = 0
            for index in range { squares += scalars[index] * scalars[index] }
            let norm = squares.squareRoot()
            guard norm > 0 else { continue }
            for index in range { scalars[index] /= norm }
        }
        return scalars
    }

    private static func similarityMatrix(_ queries: [Float], _ candidates: [Float],
                                         count: Int, dimension: Int) -> [Float] {
        var similarity = [Float](repeating: 0, count: count * count)
        queries.withUnsafeBufferPointer { q in
            candidates.withUnsafeBufferPointer { c in
                similarity.withUnsafeMutableBufferPointer { s in
                    gemm(transposeB: true, m: count, n: count, k: dimension,
                         q.baseAddress!, c.baseAddress!, s.baseAddress!)
                }
            }
        }
        return similarity
    }
}
