import LarderVector

/// A complete copy of an index's graph, for persistence: the storage layer
/// writes it to disk and `HNSWIndex(snapshot:)` loads it back without
/// rebuilding the graph.
///
/// Nodes are numbered `0..<ids.count`; every link is such a node number.
public struct HNSWGraphSnapshot: Sendable, Equatable {
    /// Parameters of the index that produced the snapshot.
    public var configuration: HNSWConfiguration
    /// External id of each node.
    public var ids: [String]
    /// Row-major `ids.count x configuration.dimension` fp32 vectors as stored:
    /// unit length under the cosine metric, as given otherwise.
    public var vectors: [Float]
    /// Euclidean norm of each vector as given, so the original can be restored
    /// under the cosine metric (1 for the other metrics).
    public var norms: [Float]
    /// Top layer of each node (0 for nodes on layer 0 only).
    public var levels: [Int]
    /// `neighbors[node][layer]`: the node's links on each layer `0...levels[node]`.
    public var neighbors: [[[UInt32]]]
    /// Node where searches start, or nil when the index is empty.
    public var entryPoint: Int?
    /// Top layer of the graph (the entry point's level), or -1 when empty.
    public var maxLevel: Int

    public init(configuration: HNSWConfiguration, ids: [String], vectors: [Float], norms: [Float],
                levels: [Int], neighbors: [[[UInt32]]], entryPoint: Int?, maxLevel: Int) {
        self.configuration = configuration
        self.ids = ids
        self.vectors = vectors
        self.norms = norms
        self.levels = levels
        self.neighbors = neighbors
        self.entryPoint = entryPoint
        self.maxLevel = maxLevel
    }
}
