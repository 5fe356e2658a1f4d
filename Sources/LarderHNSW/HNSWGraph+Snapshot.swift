import LarderVector

extension HNSWGraph {
    /// Copies the graph with live slots renumbered densely in slot order.
    /// - Precondition: no deletions are queued (`purgeDeleted()` ran).
    func snapshot() -> HNSWGraphSnapshot {
        precondition(pendingDeletes.isEmpty, "purge deletions before exporting")
        var dense = [Int](repeating: -1, count: highWater)
        var order: [Int] = []
        order.reserveCapacity(liveCount)
        for slot in 0..<highWater where storage.level(slot) >= 0 {
            dense[slot] = order.count
            order.append(slot)
        }
        let d = storage.dimension
        var vectors: [Float] = []
        vectors.reserveCapacity(order.count * d)
        withUnsafeTemporaryAllocation(of: Float.self, capacity: storage.vectorStride) { row in
            for slot in order {
                storage.dequantize(slot: slot, into: row.baseAddress!)
                vectors.append(contentsOf: UnsafeBufferPointer(rebasing: row[0..<d]))
            }
        }
        let neighbors: [[[UInt32]]] = order.map { slot in
            (0...storage.level(slot)).map { layer in
                let list = storage.links(slot, layer: layer)
                return (0..<Int(list[0])).map { UInt32(dense[Int(list[1 + $0])]) }
            }
        }
        return HNSWGraphSnapshot(configuration: configuration, ids: order.map { ids[$0] }, vectors: vectors,
                                 norms: order.map { storage.norms[$0] }, levels: order.map { storage.level($0) },
                                 neighbors: neighbors, entryPoint: entryPoint >= 0 ? dense[entryPoint] : nil,
                                 maxLevel: maxLevel)
    }

    /// Rebuilds a graph from a snapshot without searching, after checking
    /// lengths, ids, vectors, levels, link ranges and the entry point.
    /// - Throws: `HNSWError.invalidSnapshot` or `HNSWError.duplicateID`.
    convenience init(snapshot: HNSWGraphSnapshot) throws {
        self.init(configuration: snapshot.configuration)
        let n = snapshot.ids.count
        let d = configuration.dimension
        func invalid(_ reason: String) -> HNSWError { .invalidSnapshot(reason) }

        guard snapshot.vectors.count == n * d else {
            throw invalid("\(snapshot.vectors.count) vector components for \(n) nodes of dimension \(d)")
        }
        guard snapshot.norms.count == n, snapshot.levels.count == n, snapshot.neighbors.count == n else {
            throw invalid("\(n) ids but \(snapshot.norms.count) norms, \(snapshot.levels.count) levels and \(snapshot.neighbors.count) link lists")
        }
        if let index = snapshot.vectors.firstIndex(where: { !$0.isFinite }) {
            throw invalid("vector component \(index) is \(snapshot.vectors[index])")
        }
        if let index = snapshot.norms.firstIndex(where: { !$0.isFinite || $0 <= 0 }) {
            throw invalid("norm \(index) is \(snapshot.norms[index])")
        }
        for node in 0..<n {
            let level = snapshot.levels[node]
            guard (0...30).contains(level), snapshot.neighbors[node].count == level + 1 else {
                throw invalid("node \(node) has level \(level) and \(snapshot.neighbors[node].count) link layers")
            }
            for (layer, links) in snapshot.neighbors[node].enumerated() {
                guard links.count <= configuration.maxLinks(layer: layer) else {
                    throw invalid("node \(node) has \(links.count) links on layer \(layer)")
                }
                if let bad = links.first(where: { Int($0) >= n }) {
                    throw invalid("node \(node) links to node \(bad) on layer \(layer), but there are \(n) nodes")
                }
            }
        }
        switch snapshot.entryPoint {
        case nil:
            guard n == 0 else { throw invalid("\(n) nodes but no entry point") }
        case let entry?:
            guard entry >= 0, entry < n, snapshot.levels[entry] == snapshot.maxLevel else {
                throw invalid("entry point \(entry) with top level \(snapshot.maxLevel) does not match the node levels")
            }
        }

        storage.reserve(n)
        ids = Array(repeating: "", count: storage.capacity)
        deleted = Array(repeating: false, count: storage.capacity)
        slotTable.reserve(n, ids: ids)
        snapshot.vectors.withUnsafeBufferPointer { all in
            for node in 0..<n {
                let row = UnsafeBufferPointer(rebasing: all[node * d..<(node + 1) * d])
                storage.write(slot: node, vector: row, level: snapshot.levels[node], normalize: false)
                storage.norms[node] = snapshot.norms[node]
            }
        }
        for node in 0..<n {
            let id = snapshot.ids[node]
            guard slot(of: id) == nil else { throw HNSWError.duplicateID(id) }
            ids[node] = id
            slotTable.insert(node, ids: ids)
            for (layer, links) in snapshot.neighbors[node].enumerated() {
                let list = storage.links(node, layer: layer)
                list[0] = UInt32(links.count)
                for (i, link) in links.enumerated() { list[1 + i] = link }
            }
        }
        highWater = n
        liveCount = n
        entryPoint = snapshot.entryPoint ?? -1
        maxLevel = n == 0 ? -1 : snapshot.maxLevel
    }
}
