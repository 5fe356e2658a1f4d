import LarderVector

// NOTE: interim brute-force core that fixes the public API while the graph is built.
final class HNSWGraph {
    let configuration: HNSWConfiguration
    var ids: [String] = []
    var vectors: [[Float]] = []
    var norms: [Float] = []
    var slots: [String: Int] = [:]

    init(configuration: HNSWConfiguration) {
        self.configuration = configuration
    }

    init(snapshot: HNSWGraphSnapshot) throws {
        configuration = snapshot.configuration
        let d = configuration.dimension
        guard snapshot.vectors.count == snapshot.ids.count * d, snapshot.norms.count == snapshot.ids.count else {
            throw HNSWError.invalidSnapshot("vector or norm count does not match \(snapshot.ids.count) ids")
        }
        for (i, id) in snapshot.ids.enumerated() {
            guard slots[id] == nil else { throw HNSWError.duplicateID(id) }
            slots[id] = i
            ids.append(id)
            vectors.append(Array(snapshot.vectors[i * d..<(i + 1) * d]))
            norms.append(snapshot.norms[i])
        }
    }

    var count: Int { ids.count }

    func slot(of id: String) -> Int? { slots[id] }

    func upsert(id: String, vector: [Float]) -> Bool {
        var stored = vector
        var norm: Float = 1
        if configuration.metric == .cosine {
            norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
            stored = vector.map { $0 / norm }
        }
        if let slot = slots[id] {
            vectors[slot] = stored
            norms[slot] = norm
            return false
        }
        slots[id] = ids.count
        ids.append(id)
        vectors.append(stored)
        norms.append(norm)
        return true
    }

    func remove(id: String) -> Bool {
        guard let slot = slots.removeValue(forKey: id) else { return false }
        let last = ids.count - 1
        if slot != last {
            ids[slot] = ids[last]
            vectors[slot] = vectors[last]
            norms[slot] = norms[last]
            slots[ids[slot]] = slot
        }
        ids.removeLast()
        vectors.removeLast()
        norms.removeLast()
        return true
    }

    func bulkInsert(_ items: [(id: String, vector: [Float])], threads: Int) {
        for item in items { _ = upsert(id: item.id, vector: item.vector) }
    }

    func originalVector(id: String) -> [Float]? {
        guard let slot = slots[id] else { return nil }
        return vectors[slot].map { $0 * norms[slot] }
    }

    func distance(_ query: [Float], _ slot: Int) -> Float {
        query.withUnsafeBufferPointer { q in
            vectors[slot].withUnsafeBufferPointer { v in
                switch configuration.metric {
                case .l2: return VectorKernels.squaredL2(q.baseAddress!, v.baseAddress!, count: q.count)
                case .cosine, .innerProduct: return 1 - VectorKernels.dot(q.baseAddress!, v.baseAddress!, count: q.count)
                }
            }
        }
    }

    func prepared(_ query: [Float]) -> [Float] {
        guard configuration.metric == .cosine else { return query }
        let norm = query.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return query.map { $0 / norm }
    }

    func search(_ query: [Float], k: Int, ef: Int, filter: ((String) -> Bool)?,
                statistics: inout SearchStatistics) -> [SearchHit] {
        statistics.visitedNodes += count
        statistics.distanceComputations += count
        return exactSearch(query, k: k, filter: filter)
    }

    func exactSearch(_ query: [Float], k: Int, filter: ((String) -> Bool)?) -> [SearchHit] {
        let q = prepared(query)
        var heap = TopKHeap(capacity: k)
        for slot in 0..<count where filter?(ids[slot]) ?? true {
            heap.insert(index: slot, distance: distance(q, slot))
        }
        return heap.sorted().map { SearchHit(id: ids[$0.index], distance: $0.distance, metric: configuration.metric) }
    }

    func neighbors(of id: String) -> [[(id: String, similarity: Float)]]? {
        slots[id] == nil ? nil : [[]]
    }

    func randomIDs(count requested: Int) -> [String] {
        Array(ids.shuffled().prefix(max(0, requested)))
    }

    func checkIntegrity() throws {
        guard slots.count == ids.count else {
            throw HNSWError.integrityViolation(.idTableMismatch("\(slots.count) ids for \(ids.count) nodes"))
        }
    }

    func snapshot() -> HNSWGraphSnapshot {
        HNSWGraphSnapshot(configuration: configuration, ids: ids, vectors: vectors.flatMap { $0 }, norms: norms,
                          levels: Array(repeating: 0, count: count), neighbors: Array(repeating: [[]], count: count),
                          entryPoint: count > 0 ? 0 : nil, maxLevel: count > 0 ? 0 : -1)
    }
}
