import LarderVector

/// One element returned by a search.
public struct SearchHit: Sendable, Equatable {
    /// External id given at insert.
    public let id: String
    /// Distance under the index's metric; smaller is closer (see `DistanceMetric`).
    public let distance: Float
    /// Redis `VSIM ... WITHSCORES` score: 1 means identical, larger is closer.
    /// For cosine it is `(1 + cos) / 2`, in `[0, 1]`.
    public let similarity: Float

    /// Creates a hit and derives the similarity from the distance under `metric`.
    public init(id: String, distance: Float, metric: DistanceMetric) {
        self.id = id
        self.distance = distance
        self.similarity = metric.similarity(fromDistance: distance)
    }
}

/// Work done by one search, for tuning `ef` and for tests.
public struct SearchStatistics: Sendable, Equatable {
    /// Distinct nodes whose distance to the query was computed, on all layers.
    public var visitedNodes = 0
    /// Distance evaluations on all layers.
    public var distanceComputations = 0

    public init(visitedNodes: Int = 0, distanceComputations: Int = 0) {
        self.visitedNodes = visitedNodes
        self.distanceComputations = distanceComputations
    }
}
