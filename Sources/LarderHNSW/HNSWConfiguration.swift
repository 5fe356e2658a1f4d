import Foundation
import LarderVector

/// Parameters of an `HNSWIndex`, fixed when the index is created.
///
/// The names follow Malkov and Yashunin, "Efficient and robust approximate
/// nearest neighbor search using Hierarchical Navigable Small World graphs"
/// (arXiv 1603.09320). docs/hnsw.md discusses the trade-offs with measured figures.
public struct HNSWConfiguration: Sendable, Equatable {
    /// Number of components of every vector.
    public var dimension: Int
    /// Distance used for graph construction and search.
    public var metric: DistanceMetric = .cosine
    /// Maximum links per node on layers above 0; layer 0 allows `2 * m`.
    public var m = 16
    /// Size of the dynamic candidate list while inserting (`efConstruction` in the paper).
    public var efConstruction = 200
    /// Encoding of the stored vectors. `.int8` keeps only int8 codes (no fp32
    /// rows) and uses them for traversal, ranking and returned vectors.
    public var quantization: VectorQuantization = .none
    /// Seed of the generator that draws node levels, so single-threaded builds are reproducible.
    public var seed: UInt64 = 42
    /// Candidate list size of a search when the caller gives no `ef`; a search never uses less than `k`.
    public var efSearch = 100

    /// Creates a configuration; every parameter but `dimension` has the default shown.
    public init(dimension: Int, metric: DistanceMetric = .cosine, m: Int = 16, efConstruction: Int = 200,
                quantization: VectorQuantization = .none, seed: UInt64 = 42, efSearch: Int = 100) {
        self.dimension = dimension
        self.metric = metric
        self.m = m
        self.efConstruction = efConstruction
        self.quantization = quantization
        self.seed = seed
        self.efSearch = efSearch
    }

    /// Maximum links of a node on `layer`: `2 * m` on layer 0, `m` above.
    @inlinable
    public func maxLinks(layer: Int) -> Int { layer == 0 ? 2 * m : m }

    /// Level multiplier `mL = 1 / ln(m)`: a node reaches level `l` with probability `m^-l`.
    public var levelMultiplier: Double { 1 / log(Double(m)) }

    /// Checks every parameter and throws the first invalid one.
    public func validate() throws {
        guard dimension >= 1 else { throw HNSWError.invalidConfiguration(parameter: "dimension", value: dimension, minimum: 1) }
        guard m >= 2 else { throw HNSWError.invalidConfiguration(parameter: "m", value: m, minimum: 2) }
        guard m <= 1024 else { throw HNSWError.configurationTooLarge(parameter: "m", value: m, maximum: 1024) }
        guard efConstruction >= 1 else {
            throw HNSWError.invalidConfiguration(parameter: "efConstruction", value: efConstruction, minimum: 1)
        }
        guard efSearch >= 1 else { throw HNSWError.invalidConfiguration(parameter: "efSearch", value: efSearch, minimum: 1) }
        guard quantization != .binary else { throw VectorError.unsupportedQuantization(quantization) }
    }
}
