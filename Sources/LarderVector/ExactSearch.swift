import CBLAS

/// Exact k-nearest-neighbour search over a whole matrix: inner products of
/// query blocks against base blocks come from one `cblas_sgemm` call each, and
/// a `TopKHeap` per query keeps the k closest rows. Used for ground truth in
/// tests and benchmarks and for brute-force search of small collections.
public enum ExactSearch {
    /// Rows of the base matrix scored per `cblas_sgemm` call; bounds the score
    /// buffer to `queryBlock * baseBlock` floats.
    static let baseBlock = 4096
    /// Queries scored per `cblas_sgemm` call.
    static let queryBlock = 64

    /// Returns, for each query row, the `k` closest base rows (closest first).
    ///
    /// `queries` and `base` are row-major with `dimension` columns. Under the
    /// cosine metric both are normalized on a copy first. Every row must be
    /// valid for `metric` (see `validate(_:dimension:metric:)`).
    ///
    /// - Throws: `VectorError` when `dimension` or `k` is not positive or a
    ///   matrix length is not a multiple of `dimension`.
    /// - Complexity: O(q · n · d) arithmetic, O(q · k) memory for the result.
    public static func topK(queries: [Float], base: [Float], dimension: Int, k: Int,
                            metric: DistanceMetric) throws -> [[Neighbor]] {
        guard dimension > 0 else { throw VectorError.invalidParameter(name: "dimension", value: dimension) }
        guard k > 0 else { throw VectorError.invalidParameter(name: "k", value: k) }
        guard queries.count % dimension == 0 else {
            throw VectorError.wrongDimension(expected: dimension, got: queries.count % dimension)
        }
        guard base.count % dimension == 0 else {
            throw VectorError.wrongDimension(expected: dimension, got: base.count % dimension)
        }
        var queryRows = queries
        var baseRows = base
        if metric == .cosine {
            normalizeRows(&queryRows, dimension: dimension)
            normalizeRows(&baseRows, dimension: dimension)
        }
        return queryRows.withUnsafeBufferPointer { q in
            baseRows.withUnsafeBufferPointer { b in
                topK(queries: q.baseAddress!, queryCount: queries.count / dimension, queryStride: dimension,
                     base: b.baseAddress!, baseCount: base.count / dimension, baseStride: dimension,
                     dimension: dimension, k: k, metric: metric, include: nil)
            }
        }
    }

    /// Returns, for each query row, the `k` closest included base rows.
    ///
    /// Rows start every `queryStride` / `baseStride` floats (at least
    /// `dimension`), so padded storage can be searched in place. Under the
    /// cosine metric the caller must pass unit-length rows. `include`, when
    /// given, is called with each base row index and excludes rows for which
    /// it returns false.
    public static func topK(queries: UnsafePointer<Float>, queryCount: Int, queryStride: Int,
                            base: UnsafePointer<Float>, baseCount: Int, baseStride: Int,
                            dimension: Int, k: Int, metric: DistanceMetric,
                            include: ((Int) -> Bool)?) -> [[Neighbor]] {
        precondition(queryStride >= dimension && baseStride >= dimension, "row stride shorter than dimension")
        var heaps = (0..<queryCount).map { _ in TopKHeap(capacity: k) }
        guard queryCount > 0, baseCount > 0, k > 0 else { return heaps.map { $0.sorted() } }

        let queryNorms = (0..<queryCount).map {
            VectorKernels.squaredNorm(queries + $0 * queryStride, count: dimension)
        }
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: queryBlock * baseBlock)
        defer { scores.deallocate() }
        var baseNorms = [Float](repeating: 0, count: baseBlock)

        var baseStart = 0
        while baseStart < baseCount {
            let rows = min(baseBlock, baseCount - baseStart)
            if metric == .l2 {
                for r in 0..<rows {
                    baseNorms[r] = VectorKernels.squaredNorm(base + (baseStart + r) * baseStride, count: dimension)
                }
            }
            var queryStart = 0
            while queryStart < queryCount {
                let queryRows = min(queryBlock, queryCount - queryStart)
                // scores[qi, r] = queries[queryStart + qi] · base[baseStart + r]
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans,
                            Int32(queryRows), Int32(rows), Int32(dimension),
                            1, queries + queryStart * queryStride, Int32(queryStride),
                            base + baseStart * baseStride, Int32(baseStride),
                            0, scores, Int32(rows))
                for qi in 0..<queryRows {
                    let row = scores + qi * rows
                    let queryNorm = queryNorms[queryStart + qi]
                    for r in 0..<rows {
                        let index = baseStart + r
                        if let include, !include(index) { continue }
                        let distance = metric.distance(fromDot: row[r], squaredNormA: queryNorm, squaredNormB: baseNorms[r])
                        heaps[queryStart + qi].insert(index: index, distance: distance)
                    }
                }
                queryStart += queryRows
            }
            baseStart += rows
        }
        return heaps.map { $0.sorted() }
    }

    /// Scales every row of a row-major matrix to unit length; all-zero rows stay zero.
    public static func normalizeRows(_ matrix: inout [Float], dimension: Int) {
        matrix.withUnsafeMutableBufferPointer { buffer in
            let rows = buffer.count / dimension
            for r in 0..<rows {
                let row = buffer.baseAddress! + r * dimension
                VectorKernels.normalize(row, count: dimension)
            }
        }
    }
}
