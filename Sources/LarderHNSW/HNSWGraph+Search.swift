import LarderVector

extension HNSWGraph {
    // MARK: - Link access

    /// Copies the links of `slot` on `layer` into `buffer` and returns their
    /// count; under a bulk build it holds the slot's stripe while copying.
    @inline(__always)
    func copyLinks(_ slot: Int, layer: Int, into buffer: UnsafeMutablePointer<UInt32>) -> Int {
        stripes?.lock(slot)
        let list = storage.links(slot, layer: layer)
        let count = Int(list[0])
        buffer.update(from: list + 1, count: count)
        stripes?.unlock(slot)
        return count
    }

    // MARK: - Layer search

    /// Greedy search on one layer (the paper's SEARCH-LAYER with ef = 1):
    /// moves to the closest neighbour until none is closer.
    func greedyClosest(_ query: Query, from start: Candidate, layer: Int, scratch: SearchScratch) -> Candidate {
        var current = start
        var improved = true
        while improved {
            improved = false
            let count = copyLinks(Int(current.slot), layer: layer, into: scratch.links)
            for i in 0..<count {
                let neighbor = Int(scratch.links[i])
                let d = distance(query, neighbor)
                scratch.distanceCount &+= 1
                scratch.visitedCount &+= 1
                if d < current.distance {
                    current = Candidate(distance: d, slot: UInt32(neighbor))
                    improved = true
                }
            }
        }
        return current
    }

    /// Beam search on one layer (the paper's Algorithm 2, SEARCH-LAYER): keeps
    /// the `ef` closest accepted nodes in `scratch.results` and expands
    /// candidates closest first until the closest unexpanded one is farther
    /// than the farthest result.
    ///
    /// Nodes that `accept` rejects (deleted nodes, filtered ids, the node
    /// being inserted) are still expanded, so they never cut the graph, but
    /// never enter the results. While some node may be rejected the search
    /// only stops early once `ef` results are found, as hnswlib does.
    func searchLayer(_ query: Query, entries: [Candidate], ef: Int, layer: Int,
                     scratch: SearchScratch, filtering: Bool, accept: (Int) -> Bool) {
        scratch.candidates.removeAll()
        scratch.results.removeAll()
        for entry in entries where scratch.visit(Int(entry.slot)) {
            scratch.candidates.push(entry)
            if accept(Int(entry.slot)) { scratch.results.push(entry) }
        }
        while scratch.results.count > ef { scratch.results.pop() }

        while !scratch.candidates.isEmpty {
            let current = scratch.candidates.top
            let bound = scratch.results.isEmpty ? Float.infinity : scratch.results.top.distance
            if current.distance > bound && (scratch.results.count >= ef || !filtering) { break }
            scratch.candidates.pop()

            let count = copyLinks(Int(current.slot), layer: layer, into: scratch.links)
            for i in 0..<count {
                let neighbor = Int(scratch.links[i])
                guard scratch.visit(neighbor) else { continue }
                let d = distance(query, neighbor)
                scratch.distanceCount &+= 1
                guard scratch.results.count < ef || d < scratch.results.top.distance else { continue }
                let candidate = Candidate(distance: d, slot: UInt32(neighbor))
                scratch.candidates.push(candidate)
                if accept(neighbor) {
                    scratch.results.push(candidate)
                    if scratch.results.count > ef { scratch.results.pop() }
                }
            }
        }
    }

    // MARK: - Public searches

    /// k-NN search: greedy descent to layer 1, beam search with `ef` on layer 0,
    /// then (under int8) an exact fp32 re-rank of all `ef` results.
    func search(_ vector: [Float], k: Int, ef: Int, filter: ((String) -> Bool)?,
                statistics: inout SearchStatistics) -> [SearchHit] {
        guard entryPoint >= 0, liveCount > 0 else { return [] }
        let scratch = scratchPool.acquire(capacity: storage.capacity, linkCapacity: storage.layer0Stride)
        defer { scratchPool.release(scratch) }

        let found: [Candidate] = withQuery(vector) { query in
            var current = Candidate(distance: distance(query, entryPoint), slot: UInt32(entryPoint))
            scratch.distanceCount += 1
            for layer in stride(from: maxLevel, to: 0, by: -1) {
                current = greedyClosest(query, from: current, layer: layer, scratch: scratch)
            }
            let filtering = filter != nil || !pendingDeletes.isEmpty
            searchLayer(query, entries: [current], ef: ef, layer: 0, scratch: scratch, filtering: filtering) { slot in
                guard !self.deleted[slot] else { return false }
                guard let filter else { return true }
                return filter(self.ids[slot])
            }
            var results = scratch.results.drainSorted()
            if quantized {
                for i in results.indices { results[i].distance = exactDistance(query, Int(results[i].slot)) }
                scratch.distanceCount += results.count
                results.sort { ($0.distance, $0.slot) < ($1.distance, $1.slot) }
            }
            return Array(results.prefix(k))
        }
        statistics.visitedNodes += scratch.visitedCount
        statistics.distanceComputations += scratch.distanceCount
        return found.map { SearchHit(id: ids[Int($0.slot)], distance: $0.distance, metric: metric) }
    }

    /// Brute-force k-NN over every live node with BLAS (`ExactSearch`).
    func exactSearch(_ vector: [Float], k: Int, filter: ((String) -> Bool)?) -> [SearchHit] {
        guard liveCount > 0 else { return [] }
        let neighbors = withQuery(vector) { query in
            ExactSearch.topK(queries: query.pointer, queryCount: 1, queryStride: storage.vectorStride,
                             base: storage.vectors, baseCount: highWater, baseStride: storage.vectorStride,
                             dimension: storage.dimension, k: k, metric: metric) { slot in
                guard self.storage.level(slot) >= 0, !self.deleted[slot] else { return false }
                return filter?(self.ids[slot]) ?? true
            }
        }
        return neighbors[0].map { SearchHit(id: ids[$0.index], distance: $0.distance, metric: metric) }
    }
}
