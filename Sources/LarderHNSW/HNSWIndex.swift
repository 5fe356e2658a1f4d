import LarderVector

/// An in-memory approximate nearest-neighbour index over vectors with string
/// ids: a Hierarchical Navigable Small World graph (Malkov and Yashunin,
/// arXiv 1603.09320).
///
/// Thread safety: the index is protected by a readers-writer lock. Searches,
/// lookups and exports take it shared, so any number run concurrently.
/// `upsert`, `remove` and `bulkInsert` take it exclusively, so each one is
/// atomic with respect to every other call; `bulkInsert` then links nodes on
/// several threads internally. No method may be called from inside a `filter`
/// closure of the same index.
public final class HNSWIndex: @unchecked Sendable {
    let lock = ReadWriteLock()
    let graph: HNSWGraph

    /// Creates an empty index.
    ///
    /// - Precondition: `configuration.validate()` does not throw; call it (or
    ///   `init(validating:)`) first when the parameters come from a client.
    public init(configuration: HNSWConfiguration) {
        do {
            try configuration.validate()
        } catch {
            preconditionFailure("\(error)")
        }
        graph = HNSWGraph(configuration: configuration)
    }

    /// Creates an empty index after checking the configuration.
    /// - Throws: `HNSWError` or `VectorError` naming the invalid parameter.
    public convenience init(validating configuration: HNSWConfiguration) throws {
        try configuration.validate()
        self.init(configuration: configuration)
    }

    init(graph: HNSWGraph) {
        self.graph = graph
    }

    /// Parameters the index was created with.
    public var configuration: HNSWConfiguration { graph.configuration }

    /// Number of live elements. Takes the lock shared.
    public var count: Int { lock.withReadLock { graph.count } }

    // MARK: - Writes

    /// Inserts `vector` under `id`, or replaces the vector already stored under `id`.
    ///
    /// Takes the lock exclusively. The vector is validated first, so a rejected
    /// vector leaves the index unchanged.
    ///
    /// NOTE: pruning a neighbour's list can drop a node's last incoming link,
    /// leaving it unreachable by search until the next `purgeDeleted()` (or
    /// `exportGraph()`, which runs it) repairs reachability.
    /// - Returns: true when `id` was not in the index before.
    /// - Throws: `VectorError` for an empty, wrong-length, non-finite or (under
    ///   cosine) all-zero vector.
    /// - Complexity: about O(efConstruction · log n) distance computations.
    @discardableResult
    public func upsert(id: String, vector: [Float]) throws -> Bool {
        try validate(vector, dimension: configuration.dimension, metric: configuration.metric)
        return lock.withWriteLock { graph.upsert(id: id, vector: vector) }
    }

    /// Removes the element stored under `id` and relinks the graph around it.
    /// Takes the lock exclusively.
    /// - Returns: false when `id` is not in the index.
    @discardableResult
    public func remove(id: String) -> Bool {
        lock.withWriteLock { graph.remove(id: id) }
    }

    /// Inserts or replaces many elements, linking them on `threads` threads.
    ///
    /// Takes the lock exclusively for the whole batch. Every vector is
    /// validated before anything is inserted, so a batch with one bad vector
    /// or a repeated id leaves the index unchanged.
    /// - Throws: `VectorError` for the first invalid vector, `HNSWError.duplicateID`.
    public func bulkInsert(_ items: [(id: String, vector: [Float])], threads: Int) throws {
        var seen = Set<String>()
        seen.reserveCapacity(items.count)
        for item in items {
            try validate(item.vector, dimension: configuration.dimension, metric: configuration.metric)
            guard seen.insert(item.id).inserted else { throw HNSWError.duplicateID(item.id) }
        }
        lock.withWriteLock { graph.bulkInsert(items, threads: max(1, threads)) }
    }

    // MARK: - Reads

    /// Returns whether `id` is in the index. Takes the lock shared.
    public func contains(_ id: String) -> Bool {
        lock.withReadLock { graph.slot(of: id) != nil }
    }

    /// Returns the vector stored under `id` as it was given (under cosine the
    /// stored unit vector times the kept norm, so equal up to rounding). Under
    /// int8 quantization it is the dequantized code: each component within
    /// about half a quantization step (`max|x| / 254`) of the original.
    /// Takes the lock shared.
    public func vector(for id: String) -> [Float]? {
        lock.withReadLock { graph.originalVector(id: id) }
    }

    /// Returns up to `k` elements closest to `query`, closest first.
    ///
    /// Takes the lock shared, so searches run concurrently with each other and
    /// wait for writes. `ef` is the candidate list size (default
    /// `configuration.efSearch`) and is raised to `k` when smaller. `filter`,
    /// when given, is called with ids during the search and only elements for
    /// which it returns true are returned; traversal still passes through the
    /// others. When `k` exceeds the count, every (matching) element can be returned.
    /// - Throws: `VectorError` for an invalid query or a `k` or `ef` below 1.
    public func search(_ query: [Float], k: Int, ef: Int? = nil,
                       filter: ((String) -> Bool)? = nil) throws -> [SearchHit] {
        var statistics = SearchStatistics()
        return try search(query, k: k, ef: ef, filter: filter, statistics: &statistics)
    }

    /// Searches like `search(_:k:ef:filter:)` and adds the work done to `statistics`.
    public func search(_ query: [Float], k: Int, ef: Int? = nil, filter: ((String) -> Bool)? = nil,
                       statistics: inout SearchStatistics) throws -> [SearchHit] {
        try validate(query, dimension: configuration.dimension, metric: configuration.metric)
        guard k >= 1 else { throw VectorError.invalidParameter(name: "k", value: k) }
        if let ef, ef < 1 { throw VectorError.invalidParameter(name: "ef", value: ef) }
        let candidates = max(k, ef ?? configuration.efSearch)
        return lock.withReadLock {
            graph.search(query, k: k, ef: candidates, filter: filter, statistics: &statistics)
        }
    }

    /// Returns the `k` closest elements by brute force over every stored vector
    /// (the exact answer, as Redis `VSIM ... TRUTH`). Takes the lock shared.
    /// - Throws: `VectorError` for an invalid query or a `k` below 1.
    /// - Complexity: O(n · d).
    public func exactSearch(_ query: [Float], k: Int, filter: ((String) -> Bool)? = nil) throws -> [SearchHit] {
        try validate(query, dimension: configuration.dimension, metric: configuration.metric)
        guard k >= 1 else { throw VectorError.invalidParameter(name: "k", value: k) }
        return lock.withReadLock { graph.exactSearch(query, k: k, filter: filter) }
    }

    /// Returns the links of `id` on each of its layers, layer 0 first, with each
    /// neighbour's similarity to `id` (as Redis `VLINKS ... WITHSCORES`), or nil
    /// when `id` is not in the index. Takes the lock shared.
    public func neighbors(of id: String) -> [[(id: String, similarity: Float)]]? {
        lock.withReadLock { graph.neighbors(of: id) }
    }

    /// Returns up to `count` distinct ids drawn uniformly at random (as Redis
    /// `VRANDMEMBER` with a positive count). Takes the lock shared.
    public func randomIDs(count: Int) -> [String] {
        lock.withReadLock { graph.randomIDs(count: count) }
    }

    /// Verifies the graph invariants: the id table matches the node storage, no
    /// self or duplicate links, no link to a free slot or above a node's level,
    /// degree bounds per layer, a valid entry point on the top level, and every
    /// live node reachable from the entry point on layer 0. Takes the lock shared.
    /// - Throws: `HNSWError.integrityViolation` describing the first violation.
    /// - Complexity: O(n · m).
    public func checkIntegrity() throws {
        try lock.withReadLock { try graph.checkIntegrity() }
    }

    /// Size and shape of the index (as Redis `VINFO`). Takes the lock shared.
    public var statistics: HNSWIndexStatistics {
        lock.withReadLock { graph.indexStatistics }
    }

    /// Rewires the graph around deleted elements now, frees their memory for
    /// reuse, and links back any node that the entry point cannot reach on
    /// layer 0. Deletions are purged automatically once they reach 1% of the
    /// count, and `exportGraph()` always runs this first. Takes the lock exclusively.
    /// - Complexity: O(n · m).
    public func purgeDeleted() {
        lock.withWriteLock { graph.purgeDeleted() }
    }

    // MARK: - Persistence

    /// Returns a copy of the whole graph with nodes renumbered densely. Takes
    /// the lock exclusively, because queued deletions are purged first.
    public func exportGraph() -> HNSWGraphSnapshot {
        lock.withWriteLock {
            graph.purgeDeleted()
            return graph.snapshot()
        }
    }

    /// Loads an index from a snapshot without rebuilding the graph.
    /// - Throws: `HNSWError.invalidSnapshot` when lengths disagree, a link is out
    ///   of range or the entry point is invalid, and `HNSWError.integrityViolation`
    ///   when the loaded graph fails `checkIntegrity()`.
    public convenience init(snapshot: HNSWGraphSnapshot) throws {
        try snapshot.configuration.validate()
        self.init(graph: try HNSWGraph(snapshot: snapshot))
        try checkIntegrity()
    }
}
