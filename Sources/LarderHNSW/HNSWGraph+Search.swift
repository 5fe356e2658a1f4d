import LarderVector

extension HNSWGraph {
    // MARK: - Layer search

    /// Copies the links of `slot` on `layer` into `buffer` and returns their
    /// count, holding the slot's stripe during a bulk build.
    @inline(__always)
    static func copyLinks(_ slot: Int, layer: Int, view: GraphView, stripes: StripeLocks?,
                          into buffer: UnsafeMutablePointer<UInt32>) -> Int {
        stripes?.lock(slot)
        let list = view.links(slot, layer: layer)
        let count = Int(list[0])
        buffer.update(from: list + 1, count: count)
        stripes?.unlock(slot)
        return count
    }

    /// Runs a greedy search on one layer (SEARCH-LAYER with ef = 1 in Malkov and
    /// Yashunin, arXiv 1603.09320): moves to the closest neighbour until none is closer.
    func greedyClosest(_ query: Query, from start: Candidate, layer: Int, scratch: SearchScratch) -> Candidate {
        let view = self.view
        let stripes = self.stripes
        let buffer = scratch.links
        var current = start
        var evaluated = 0
        var improved = true
        while improved {
            improved = false
            let count = Self.copyLinks(Int(current.slot), layer: layer, view: view, stripes: stripes, into: buffer)
            if count > 0 { view.prefetchRow(Int(buffer[0])) }
            for i in 0..<count {
                let neighbor = Int(buffer[i])
                if i &+ 1 < count { view.prefetchRow(Int(buffer[i &+ 1])) }
                let d = view.distance(query, neighbor)
                if d < current.distance {
                    current = Candidate(distance: d, slot: UInt32(neighbor))
                    improved = true
                }
            }
            evaluated &+= count
        }
        scratch.distanceCount &+= evaluated
        scratch.visitedCount &+= evaluated
        return current
    }

    /// Runs a beam search on one layer (Algorithm 2, SEARCH-LAYER, of Malkov and
    /// Yashunin, arXiv 1603.09320). It keeps
    /// the `ef` closest accepted nodes in `scratch.results` and expands
    /// candidates closest first until the closest unexpanded one is farther
    /// than the farthest result.
    ///
    /// Nodes that `accept` rejects (deleted nodes, filtered ids) are still
    /// expanded, so they never cut the graph, but never enter the results.
    /// With an `accept` predicate the search only stops early once `ef`
    /// results are found, as hnswlib does. `nil` accepts every node. The
    /// caller resets the visited set and may pre-mark nodes to skip them.
    func searchLayer(_ query: Query, entries: [Candidate], ef: Int, layer: Int,
                     scratch: SearchScratch, accept: ((Int) -> Bool)?) {
        let view = self.view
        let stripes = self.stripes
        let buffer = scratch.links
        let tags = scratch.tags
        let generation = scratch.generation
        // Work on local copies of the heaps (no class property access in the
        // loop) and store them back, because a push may move their buffers.
        var candidates = scratch.candidates
        var results = scratch.results
        candidates.removeAll()
        results.removeAll()
        var visited = 0
        var evaluated = 0

        for entry in entries where tags[Int(entry.slot)] != generation {
            tags[Int(entry.slot)] = generation
            visited &+= 1
            candidates.push(entry)
            if accept?(Int(entry.slot)) ?? true { results.push(entry) }
        }
        while results.count > ef { results.pop() }
        let filtering = accept != nil

        while !candidates.isEmpty {
            let current = candidates.top
            let bound = results.isEmpty ? Float.infinity : results.top.distance
            if current.distance > bound && (results.count >= ef || !filtering) { break }
            candidates.pop()

            let count = Self.copyLinks(Int(current.slot), layer: layer, view: view, stripes: stripes, into: buffer)
            // Start loading the next candidate's link list while this one is processed.
            if !candidates.isEmpty { prefetch(view.links(Int(candidates.top.slot), layer: layer)) }

            // Pass 1: keep the unvisited neighbours (marking them visited)
            // and start loading the first line of each row, so the misses overlap.
            var fresh = 0
            for i in 0..<count {
                let neighbor = Int(buffer[i])
                if tags[neighbor] == generation { continue }
                tags[neighbor] = generation
                buffer[fresh] = UInt32(truncatingIfNeeded: neighbor)
                fresh &+= 1
                view.prefetchLine(neighbor)
            }
            visited &+= fresh
            evaluated &+= fresh

            // Pass 2: distances, with the rest of the next row prefetched.
            for i in 0..<fresh {
                let neighbor = Int(buffer[i])
                if i &+ 1 < fresh { view.prefetchRow(Int(buffer[i &+ 1])) }
                let d = view.distance(query, neighbor)
                guard results.count < ef || d < results.top.distance else { continue }
                let candidate = Candidate(distance: d, slot: UInt32(neighbor))
                candidates.push(candidate)
                if accept?(neighbor) ?? true {
                    results.push(candidate)
                    if results.count > ef { results.pop() }
                }
            }
        }

        scratch.visitedCount &+= visited
        scratch.distanceCount &+= evaluated
        scratch.candidates = candidates
        scratch.results = results
    }

    // MARK: - Public searches

    /// k-NN search: greedy descent to layer 1, then a beam search with `ef` on
    /// layer 0. Under plain int8 quantization the ranking uses the int8
    /// distances, because no fp32 vectors are kept. With re-ranking, each of the
    /// `ef` results is scored again on its fp32 row and the `k` closest are kept.
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
            var accept: ((Int) -> Bool)?
            if filter != nil || !pendingDeletes.isEmpty {
                accept = { slot in
                    guard !self.deleted[slot] else { return false }
                    guard let filter else { return true }
                    return filter(self.ids[slot])
                }
            }
            searchLayer(query, entries: [current], ef: ef, layer: 0, scratch: scratch, accept: accept)
            if reranks { return rerank(query, scratch: scratch, k: k) }
            while scratch.results.count > k { scratch.results.pop() }
            return scratch.results.drainSorted()
        }
        statistics.visitedNodes += scratch.visitedCount
        statistics.distanceComputations += scratch.distanceCount
        return found.map { SearchHit(id: ids[Int($0.slot)], distance: $0.distance, metric: metric) }
    }

    /// Scores every result of the last layer search on its fp32 row and returns
    /// the `k` closest, closest first.
    /// - Complexity: O(ef · d + ef log ef).
    func rerank(_ query: Query, scratch: SearchScratch, k: Int) -> [Candidate] {
        let view = self.view
        // The heap's order is irrelevant here, because the rescored list is sorted once below.
        let results = scratch.results
        var rescored = [Candidate](UnsafeBufferPointer(start: results.elements, count: results.count))
        // Rows are mostly cache misses: keep two loads in flight ahead of the scoring.
        for i in rescored.indices.prefix(2) { view.prefetchFloatRow(Int(rescored[i].slot)) }
        for i in rescored.indices {
            if i &+ 2 < rescored.count { view.prefetchFloatRow(Int(rescored[i &+ 2].slot)) }
            let slot = Int(rescored[i].slot)
            rescored[i] = Candidate(distance: view.rowDistance(query, slot), slot: rescored[i].slot)
        }
        scratch.distanceCount &+= rescored.count
        rescored.sort { ($0.distance, $0.slot) < ($1.distance, $1.slot) }
        return Array(rescored.prefix(k))
    }

    /// Returns the `k` closest live nodes by brute force: BLAS (`ExactSearch`)
    /// over the fp32 rows when they are kept, or under plain int8 quantization
    /// a scan with the int8 kernel, which is exact for the stored (quantized) vectors.
    func exactSearch(_ vector: [Float], k: Int, filter: ((String) -> Bool)?) -> [SearchHit] {
        guard liveCount > 0 else { return [] }
        let include: (Int) -> Bool = { slot in
            guard self.storage.level(slot) >= 0, !self.deleted[slot] else { return false }
            return filter?(self.ids[slot]) ?? true
        }
        let neighbors: [Neighbor] = withQuery(vector) { query in
            guard !storage.keepsRows else {
                return ExactSearch.topK(queries: query.pointer, queryCount: 1, queryStride: storage.vectorStride,
                                        base: storage.vectors, baseCount: highWater, baseStride: storage.vectorStride,
                                        dimension: storage.dimension, k: k, metric: metric, include: include)[0]
            }
            let view = self.view
            var heap = TopKHeap(capacity: k)
            for slot in 0..<highWater where include(slot) {
                heap.insert(index: slot, distance: view.distance(query, slot))
            }
            return heap.sorted()
        }
        return neighbors.map { SearchHit(id: ids[$0.index], distance: $0.distance, metric: metric) }
    }
}

