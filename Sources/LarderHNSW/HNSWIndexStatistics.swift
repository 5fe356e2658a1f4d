/// Size and shape of an `HNSWIndex` at one moment.
public struct HNSWIndexStatistics: Sendable, Equatable {
    /// Live elements.
    public var count: Int
    /// Node slots allocated; freed slots are reused before the storage grows.
    public var slotCapacity: Int
    /// Deleted elements whose nodes wait for the next purge.
    public var pendingDeletions: Int
    /// Top layer of the graph, -1 when empty.
    public var maxLevel: Int
    /// Estimated bytes of node storage, links and the id table.
    public var memoryBytes: Int
}

extension HNSWGraph {
    var indexStatistics: HNSWIndexStatistics {
        HNSWIndexStatistics(count: liveCount, slotCapacity: storage.capacity, pendingDeletions: pendingDeletes.count,
                            maxLevel: maxLevel, memoryBytes: memoryBytes)
    }
}
