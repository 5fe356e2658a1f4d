extension HNSWGraph {
    /// Checks every invariant listed at `HNSWIndex.checkIntegrity()`.
    /// - Throws: `HNSWError.integrityViolation` for the first violation found.
    func checkIntegrity() throws {
        func fail(_ violation: HNSWIntegrityViolation) -> HNSWError { .integrityViolation(violation) }

        // Id table against node storage.
        guard slotTable.count == liveCount else {
            throw fail(.idTableMismatch("\(slotTable.count) ids registered but the live count is \(liveCount)"))
        }
        for slot in slotTable.slots {
            guard slot < highWater, storage.level(slot) >= 0, !deleted[slot] else {
                throw fail(.idTableMismatch("id '\(ids[slot])' maps to slot \(slot), which is not a live node"))
            }
        }
        for slot in 0..<highWater where storage.level(slot) >= 0 && !deleted[slot] {
            guard self.slot(of: ids[slot]) == slot else {
                throw fail(.idTableMismatch("live slot \(slot) contains id '\(ids[slot])', which the id table does not map to it"))
            }
        }
        var liveSlots = 0
        var topLevel = -1
        for slot in 0..<highWater where storage.level(slot) >= 0 {
            if !deleted[slot] { liveSlots += 1 }
            topLevel = max(topLevel, storage.level(slot))
        }
        guard liveSlots == liveCount else {
            throw fail(.idTableMismatch("\(liveSlots) live slots but the live count is \(liveCount)"))
        }

        // Links: bounds, self links, duplicates, targets that exist on the layer.
        var seen = Set<UInt32>()
        for slot in 0..<highWater where storage.level(slot) >= 0 {
            let id = ids[slot]
            for layer in 0...storage.level(slot) {
                let list = storage.links(slot, layer: layer)
                let degree = Int(list[0])
                let maximum = configuration.maxLinks(layer: layer)
                guard degree <= maximum else {
                    throw fail(.degreeExceeded(id: id, layer: layer, degree: degree, maximum: maximum))
                }
                seen.removeAll(keepingCapacity: true)
                for i in 0..<degree {
                    let neighbor = list[1 + i]
                    guard Int(neighbor) != slot else { throw fail(.selfLink(id: id, layer: layer)) }
                    guard Int(neighbor) < highWater, storage.level(Int(neighbor)) >= layer else {
                        throw fail(.danglingLink(id: id, layer: layer, slot: Int(neighbor)))
                    }
                    guard seen.insert(neighbor).inserted else {
                        throw fail(.duplicateLink(id: id, neighbor: ids[Int(neighbor)], layer: layer))
                    }
                }
            }
        }

        // Entry point and reachability.
        guard topLevel >= 0 else {
            guard entryPoint == -1 else { throw fail(.badEntryPoint("the graph is empty but the entry point is slot \(entryPoint)")) }
            return
        }
        guard entryPoint >= 0, entryPoint < highWater, storage.level(entryPoint) >= 0 else {
            throw fail(.badEntryPoint("slot \(entryPoint) is not a node"))
        }
        guard storage.level(entryPoint) == maxLevel, maxLevel == topLevel else {
            throw fail(.badEntryPoint("entry level \(storage.level(entryPoint)), recorded top \(maxLevel), highest node level \(topLevel)"))
        }
        let scratch = scratchPool.acquire(capacity: storage.capacity, linkCapacity: storage.layer0Stride)
        defer { scratchPool.release(scratch) }
        markReachable(from: entryPoint, scratch: scratch)
        for slot in 0..<highWater where storage.level(slot) >= 0 && !deleted[slot] {
            guard !scratch.visit(slot) else { throw fail(.unreachable(id: ids[slot])) }
        }
    }
}
