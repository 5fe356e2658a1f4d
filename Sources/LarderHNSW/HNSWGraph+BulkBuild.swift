import Dispatch
import LarderVector

extension HNSWGraph {
    /// Inserts or replaces a batch of validated, distinct-id items, linking
    /// them on `threads` threads.
    ///
    /// Ids, vectors and levels are written serially first (levels come from
    /// the seeded generator in item order), so the storage never grows while
    /// threads run. Threads then take items round-robin and link them with
    /// per-slot stripe locks on the link lists. The resulting graph depends on
    /// thread timing; with `threads == 1` it is the same as upserting in order.
    func bulkInsert(_ items: [(id: String, vector: [Float])], threads: Int) {
        guard !items.isEmpty else { return }
        for item in items { _ = markDeleted(id: item.id) }
        reserveSlots(highWater + items.count)
        let slots = items.map { place(id: $0.id, vector: $0.vector, level: drawLevel()) }

        let scratch = scratchPool.acquire(capacity: storage.capacity, linkCapacity: storage.layer0Stride)
        var next = 0
        if entryPoint < 0 {
            link(slots[0], scratch: scratch)
            next = 1
        }
        let workers = min(threads, slots.count - next)
        if workers <= 1 {
            for slot in slots[next...] { link(slot, scratch: scratch) }
        } else {
            stripes = StripeLocks()
            let entryLock = Mutex()
            let first = next
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                let local = self.scratchPool.acquire(capacity: self.storage.capacity,
                                                     linkCapacity: self.storage.layer0Stride)
                var position = first + worker
                while position < slots.count {
                    self.link(slots[position], scratch: local, entryLock: entryLock)
                    position += workers
                }
                self.scratchPool.release(local)
            }
            stripes = nil
        }
        if pendingDeletes.isEmpty {
            repairReachability(scratch: scratch)
        } else {
            purgeDeleted()
        }
        scratchPool.release(scratch)
    }
}
