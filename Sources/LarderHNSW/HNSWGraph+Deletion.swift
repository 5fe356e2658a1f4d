import LarderLog
import LarderVector

extension HNSWGraph {
    static let logger = Logger(label: "hnsw")

    // MARK: - Purging deleted nodes

    /// Rewires the graph around every queued deleted node and frees their slots.
    ///
    /// Each live list that points at a deleted node is rebuilt by the
    /// neighbour heuristic. Its candidates are its remaining links plus the
    /// live links of the deleted nodes it pointed at, following chains of
    /// deleted nodes for up to two hops. A deleted entry point is replaced by a live node on the top
    /// remaining level. Finally every live node is made reachable on layer 0
    /// again (see `repairReachability()`).
    ///
    /// - Complexity: O(n · m) to scan the lists, plus a heuristic selection for
    ///   each list that pointed at a deleted node.
    func purgeDeleted() {
        let scratch = scratchPool.acquire(capacity: storage.capacity, linkCapacity: storage.layer0Stride)
        defer { scratchPool.release(scratch) }
        // Inserts alone can strand a node when pruning drops its last incoming link,
        // so reachability is repaired even when no deletion is pending.
        guard !pendingDeletes.isEmpty else {
            repairReachability(scratch: scratch)
            return
        }

        for slot in 0..<highWater where storage.level(slot) >= 0 && !deleted[slot] {
            for layer in 0...storage.level(slot) where pointsAtDeleted(slot, layer: layer) {
                relink(slot, layer: layer, scratch: scratch)
            }
        }

        if entryPoint >= 0 && deleted[entryPoint] {
            entryPoint = -1
            maxLevel = -1
            for slot in 0..<highWater where storage.level(slot) > maxLevel && !deleted[slot] {
                entryPoint = slot
                maxLevel = storage.level(slot)
            }
        }
        for slot in pendingDeletes {
            storage.free(slot: slot)
            ids[slot] = ""
            deleted[slot] = false
            freeSlots.append(slot)
        }
        pendingDeletes.removeAll()
        repairReachability(scratch: scratch)
    }

    private func pointsAtDeleted(_ slot: Int, layer: Int) -> Bool {
        let list = storage.links(slot, layer: layer)
        for i in 0..<Int(list[0]) where deleted[Int(list[1 + i])] { return true }
        return false
    }

    /// Replaces the list of `slot` on `layer` by a heuristic selection over its
    /// live links and the live links reachable through its deleted links.
    private func relink(_ slot: Int, layer: Int, scratch: SearchScratch) {
        scratch.reset(capacity: storage.capacity)
        _ = scratch.visit(slot)
        var candidates: [Candidate] = []
        var frontier: [Int] = []
        var live: [Int] = []

        func consider(_ neighbor: Int) {
            guard scratch.visit(neighbor) else { return }
            if deleted[neighbor] {
                frontier.append(neighbor)
            } else {
                live.append(neighbor)
            }
        }

        let list = storage.links(slot, layer: layer)
        for i in 0..<Int(list[0]) { consider(Int(list[1 + i])) }
        for _ in 0..<2 where !frontier.isEmpty {
            let hop = frontier
            frontier.removeAll()
            for removed in hop {
                let removedList = storage.links(removed, layer: layer)
                for i in 0..<Int(removedList[0]) { consider(Int(removedList[1 + i])) }
            }
        }

        withStoredQuery(slot) { base in
            candidates = live.map { Candidate(distance: distance(base, $0), slot: UInt32($0)) }
        }
        candidates.sort { ($0.distance, $0.slot) < ($1.distance, $1.slot) }
        let kept = selectNeighbors(candidates, maxCount: configuration.maxLinks(layer: layer))
        list[0] = UInt32(kept.count)
        for (i, candidate) in kept.enumerated() { list[1 + i] = candidate.slot }
    }

    // MARK: - Reachability

    /// Marks, in `scratch`, every node reachable from `start` on layer 0 that is not marked yet.
    func markReachable(from start: Int, scratch: SearchScratch) {
        guard scratch.visit(start) else { return }
        var stack = [start]
        while let slot = stack.popLast() {
            let list = storage.links(slot, layer: 0)
            for i in 0..<Int(list[0]) {
                let neighbor = Int(list[1 + i])
                if scratch.visit(neighbor) { stack.append(neighbor) }
            }
        }
    }

    /// Links every live node that the entry point cannot reach on layer 0.
    ///
    /// Deleting nodes, and heuristic pruning in general, can leave a node with
    /// no incoming path (a known weakness of HNSW under updates). For each such
    /// node, a search finds its nearest nodes among those reachable on layer 0,
    /// and the first one whose heuristic keeps the new link gets it. If none
    /// does, the nearest replaces its farthest link. A replaced link can strand
    /// another node, so the pass repeats until nothing is unreachable (at most
    /// 32 rounds).
    func repairReachability(scratch: SearchScratch) {
        guard entryPoint >= 0 else { return }
        for _ in 0..<32 {
            scratch.reset(capacity: storage.capacity)
            markReachable(from: entryPoint, scratch: scratch)
            var reachable = [Bool](repeating: false, count: highWater)
            var stranded: [Int] = []
            for slot in 0..<highWater where storage.level(slot) >= 0 {
                if !scratch.visit(slot) {
                    reachable[slot] = true
                } else if !deleted[slot] {
                    stranded.append(slot)
                }
            }
            guard !stranded.isEmpty else { return }
            Self.logger.debug("linking nodes unreachable from the entry point", ["count": String(stranded.count)])
            let searchScratch = scratchPool.acquire(capacity: storage.capacity, linkCapacity: storage.layer0Stride)
            for slot in stranded { attachToReachable(slot, reachable: reachable, scratch: searchScratch) }
            scratchPool.release(searchScratch)
        }
    }

    /// Gives `slot` an incoming layer-0 link from a node in `reachable`.
    private func attachToReachable(_ slot: Int, reachable: [Bool], scratch: SearchScratch) {
        let found: [Candidate] = withStoredQuery(slot) { query in
            var current = Candidate(distance: distance(query, entryPoint), slot: UInt32(entryPoint))
            for layer in stride(from: maxLevel, to: 0, by: -1) {
                current = greedyClosest(query, from: current, layer: layer, scratch: scratch)
            }
            scratch.reset(capacity: storage.capacity)
            _ = scratch.visit(slot)
            // The greedy descent may end in a stranded part of layer 0, so the
            // search keeps only reachable nodes and starts from the entry point too.
            let start = Candidate(distance: distance(query, entryPoint), slot: UInt32(entryPoint))
            searchLayer(query, entries: [current, start], ef: configuration.efConstruction, layer: 0,
                        scratch: scratch, accept: { reachable[$0] && !self.deleted[$0] })
            return scratch.results.drainSorted()
        }
        guard let nearest = found.first else { return }
        let maxLinks = configuration.maxLinks(layer: 0)
        for candidate in found.prefix(configuration.m)
        where addLink(from: Int(candidate.slot), to: slot, distance: candidate.distance, layer: 0, maxLinks: maxLinks) {
            return
        }
        replaceFarthestLink(of: Int(nearest.slot), with: slot, distance: nearest.distance)
    }
}
