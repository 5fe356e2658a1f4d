import LarderVector

extension HNSWGraph {
    // MARK: - Insertion (Algorithm 1 of Malkov and Yashunin, arXiv 1603.09320)

    /// Links the node already written in `slot` into the graph. A greedy
    /// descent runs from the entry point down to the node's level. Then each
    /// layer from `min(level, maxLevel)` down to 0 gets a beam search with
    /// `efConstruction`, a heuristic selection of `m` neighbours and links in
    /// both directions.
    ///
    /// Under a bulk build, `entryLock` guards the entry point; an insert that
    /// raises the top level holds it to the end, as hnswlib does.
    func link(_ slot: Int, scratch: SearchScratch, entryLock: Mutex? = nil) {
        let level = storage.level(slot)
        entryLock?.lock()
        let start = entryPoint
        let top = maxLevel
        if start < 0 {
            entryPoint = slot
            maxLevel = level
            entryLock?.unlock()
            return
        }
        let raisesTop = level > top
        if !raisesTop { entryLock?.unlock() }

        withStoredQuery(slot) { query in
            var current = Candidate(distance: distance(query, start), slot: UInt32(start))
            for layer in stride(from: top, to: level, by: -1) {
                current = greedyClosest(query, from: current, layer: layer, scratch: scratch)
            }
            var entries = [current]
            for layer in stride(from: min(level, top), through: 0, by: -1) {
                scratch.reset(capacity: storage.capacity)
                _ = scratch.visit(slot)
                searchLayer(query, entries: entries, ef: configuration.efConstruction, layer: layer,
                            scratch: scratch, accept: pendingDeletes.isEmpty ? nil : { !self.deleted[$0] })
                let found = scratch.results.drainSorted()
                let selected = selectNeighbors(found, maxCount: configuration.m)
                connect(slot, to: selected, layer: layer)
                if !found.isEmpty { entries = found }
            }
        }

        if raisesTop {
            entryPoint = slot
            maxLevel = level
            entryLock?.unlock()
        }
    }

    /// Selects neighbours by the heuristic of Algorithm 4 in Malkov and
    /// Yashunin (arXiv 1603.09320), without extending or keeping pruned
    /// candidates, as hnswlib does. It walks the
    /// candidates closest first and keeps one only when it is closer to the
    /// base than to every neighbour kept so far, which spreads links across
    /// directions instead of into one cluster.
    ///
    /// - Parameter candidates: distances to the base, sorted ascending.
    /// - Complexity: O(c · maxCount) distance computations for c candidates.
    func selectNeighbors(_ candidates: [Candidate], maxCount: Int) -> [Candidate] {
        guard candidates.count > maxCount else { return candidates }
        let view = self.view
        var selected: [Candidate] = []
        selected.reserveCapacity(maxCount)
        for candidate in candidates {
            if selected.count >= maxCount { break }
            let keep = withStoredQuery(Int(candidate.slot)) { query in
                for chosen in selected where view.distance(query, Int(chosen.slot)) < candidate.distance {
                    return false
                }
                return true
            }
            if keep { selected.append(candidate) }
        }
        return selected
    }

    /// Sets the links of `slot` on `layer` to `selected` and adds the reverse
    /// link to each of them, shrinking a full list by the same heuristic.
    ///
    /// If every neighbour's heuristic drops `slot` on layer 0, the closest
    /// neighbour replaces its farthest link with `slot`, so a new node is
    /// never left without an incoming link.
    func connect(_ slot: Int, to selected: [Candidate], layer: Int) {
        stripes?.lock(slot)
        let own = storage.links(slot, layer: layer)
        own[0] = UInt32(selected.count)
        for (i, neighbor) in selected.enumerated() { own[1 + i] = neighbor.slot }
        stripes?.unlock(slot)

        let maxLinks = configuration.maxLinks(layer: layer)
        var linkedBack = false
        for neighbor in selected {
            let target = Int(neighbor.slot)
            stripes?.lock(target)
            if addLink(from: target, to: slot, distance: neighbor.distance, layer: layer, maxLinks: maxLinks) {
                linkedBack = true
            }
            stripes?.unlock(target)
        }
        if layer == 0, !linkedBack, let closest = selected.first {
            let target = Int(closest.slot)
            stripes?.lock(target)
            replaceFarthestLink(of: target, with: slot, distance: closest.distance)
            stripes?.unlock(target)
        }
    }

    /// Adds `slot` to the list of `target` and returns whether the list keeps it.
    /// The caller owns the stripe of `target` under a bulk build.
    @discardableResult
    func addLink(from target: Int, to slot: Int, distance linkDistance: Float, layer: Int, maxLinks: Int) -> Bool {
        let list = storage.links(target, layer: layer)
        let count = Int(list[0])
        for i in 0..<count where Int(list[1 + i]) == slot { return true }
        if count < maxLinks {
            list[1 + count] = UInt32(slot)
            list[0] = UInt32(count + 1)
            return true
        }
        let view = self.view
        var candidates = [Candidate(distance: linkDistance, slot: UInt32(slot))]
        candidates.reserveCapacity(count + 1)
        withStoredQuery(target) { base in
            for i in 0..<count {
                let neighbor = Int(list[1 + i])
                candidates.append(Candidate(distance: view.distance(base, neighbor), slot: UInt32(neighbor)))
            }
        }
        candidates.sort { ($0.distance, $0.slot) < ($1.distance, $1.slot) }
        let kept = selectNeighbors(candidates, maxCount: maxLinks)
        list[0] = UInt32(kept.count)
        var keptSlot = false
        for (i, candidate) in kept.enumerated() {
            list[1 + i] = candidate.slot
            if Int(candidate.slot) == slot { keptSlot = true }
        }
        return keptSlot
    }

    /// Replaces the farthest layer-0 link of `target` with `slot` (or appends when there is room).
    func replaceFarthestLink(of target: Int, with slot: Int, distance linkDistance: Float) {
        let list = storage.links(target, layer: 0)
        let count = Int(list[0])
        for i in 0..<count where Int(list[1 + i]) == slot { return }
        if count < configuration.maxLinks(layer: 0) {
            list[1 + count] = UInt32(slot)
            list[0] = UInt32(count + 1)
            return
        }
        var farthest = 0
        var farthestDistance = -Float.infinity
        withStoredQuery(target) { base in
            for i in 0..<count {
                let d = distance(base, Int(list[1 + i]))
                if d > farthestDistance {
                    farthest = i
                    farthestDistance = d
                }
            }
        }
        list[1 + farthest] = UInt32(slot)
    }
}
