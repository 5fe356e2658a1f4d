import Foundation
import LarderVector

/// A query or stored vector prepared for distance computations: a row of
/// `vectorStride` floats (zero-padded, unit length under cosine) and its squared norm.
struct Query {
    let pointer: UnsafePointer<Float>
    let squaredNorm: Float
}

/// The HNSW graph itself (Malkov and Yashunin, arXiv 1603.09320), without
/// locking: `HNSWIndex` serializes writers against readers. During
/// `bulkInsert` several threads link nodes at once and then every link list
/// access goes through `stripes`, one mutex per slot modulo the stripe count.
///
/// Deletion marks the node deleted and queues it. A deleted node is never
/// returned again, but searches may still pass through it until
/// `purgeDeleted()` rewires every list that pointed at it and frees its slot. The
/// queue is purged once it reaches `purgeThreshold`, before every export, and
/// on request, so deleted nodes never accumulate.
final class HNSWGraph: @unchecked Sendable {
    let configuration: HNSWConfiguration
    let storage: NodeStorage
    let metric: DistanceMetric
    /// Whether traversal scores nodes by their int8 codes.
    let quantized: Bool
    /// Whether the final candidates of a search are re-ranked by their fp32 rows
    /// (`VectorQuantization.int8Rerank`).
    let reranks: Bool

    /// External id per slot ("" for a free slot).
    var ids: [String] = []
    var slotTable = SlotTable()
    /// Per slot: deleted but not yet purged.
    var deleted: [Bool] = []
    var freeSlots: [Int] = []
    var pendingDeletes: [Int] = []
    /// Slots `0..<highWater` have been used at least once.
    var highWater = 0
    var entryPoint = -1
    var maxLevel = -1
    var liveCount = 0
    var randomState: UInt64
    let scratchPool = ScratchPool()
    /// Set while `bulkInsert` links nodes on several threads.
    var stripes: StripeLocks?

    init(configuration: HNSWConfiguration) {
        self.configuration = configuration
        metric = configuration.metric
        quantized = configuration.quantization.traversesInt8
        reranks = configuration.quantization == .int8Rerank
        storage = NodeStorage(dimension: configuration.dimension, m: configuration.m, quantized: quantized,
                              keepsRows: configuration.quantization.keepsFloatRows,
                              unitVectors: metric == .cosine)
        randomState = configuration.seed
    }

    var count: Int { liveCount }

    func slot(of id: String) -> Int? { slotTable.slot(of: id, ids: ids) }

    /// Queue length at which deletions are purged: 1% of the live count, at least 1,
    /// so a purge (O(n · m)) costs O(m) amortized per deletion.
    var purgeThreshold: Int { max(1, liveCount / 100) }

    // MARK: - Distances

    /// Pointers into the node storage for distance and link access; valid until the storage grows.
    var view: GraphView { GraphView(storage: storage, metric: metric) }

    /// Distance from `query` to the stored vector of `slot` (see `GraphView.distance`).
    func distance(_ query: Query, _ slot: Int) -> Float { view.distance(query, slot) }

    /// Runs `body` with the stored vector of `slot` as a query: the fp32 row
    /// itself when one is kept, otherwise a dequantized copy on the stack.
    @inline(__always)
    func withStoredQuery<T>(_ slot: Int, _ body: (Query) throws -> T) rethrows -> T {
        if storage.keepsRows {
            let norm = metric == .cosine ? 1 : storage.norms[slot]
            return try body(Query(pointer: storage.vector(slot), squaredNorm: norm * norm))
        }
        return try withUnsafeTemporaryAllocation(of: Float.self, capacity: storage.vectorStride) { row in
            let pointer = row.baseAddress!
            storage.dequantize(slot: slot, into: pointer)
            let squared = VectorKernels.squaredNorm(pointer, count: storage.vectorStride)
            return try body(Query(pointer: pointer, squaredNorm: squared))
        }
    }

    /// Copies a validated external vector into an aligned, padded row
    /// (normalized under cosine) and runs `body` with it as a query.
    func withQuery<T>(_ vector: [Float], _ body: (Query) throws -> T) rethrows -> T {
        let stride = storage.vectorStride
        let raw = UnsafeMutableRawPointer.allocate(byteCount: stride * 4, alignment: 64)
        defer { raw.deallocate() }
        let row = raw.initializeMemory(as: Float.self, repeating: 0, count: stride)
        vector.withUnsafeBufferPointer { row.update(from: $0.baseAddress!, count: vector.count) }
        var squared: Float = 1
        if metric == .cosine {
            VectorKernels.normalize(row, count: vector.count)
        } else {
            squared = VectorKernels.squaredNorm(row, count: stride)
        }
        return try body(Query(pointer: row, squaredNorm: squared))
    }

    // MARK: - Slots and levels

    /// Draws a level from the seeded generator: `floor(-ln(u) · mL)` with u
    /// uniform in (0, 1], capped at 30.
    func drawLevel() -> Int {
        randomState &+= 0x9E37_79B9_7F4A_7C15
        var z = randomState
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        let uniform = (Double(z >> 11) + 1) / 9_007_199_254_740_992
        return min(30, Int(-log(uniform) * configuration.levelMultiplier))
    }

    /// Takes a free slot, or the next unused one after growing the storage.
    func allocateSlot() -> Int {
        if let slot = freeSlots.popLast() { return slot }
        let slot = highWater
        highWater += 1
        reserveSlots(slot + 1)
        return slot
    }

    /// Grows the node storage and the per-slot arrays to at least `minimum` slots.
    func reserveSlots(_ minimum: Int) {
        guard minimum > storage.capacity else { return }
        storage.reserve(minimum)
        let grown = storage.capacity
        ids.append(contentsOf: repeatElement("", count: grown - ids.count))
        deleted.append(contentsOf: repeatElement(false, count: grown - deleted.count))
    }

    /// Writes `vector` into a new slot for `id` and registers the id, without linking.
    func place(id: String, vector: [Float], level: Int) -> Int {
        let slot = allocateSlot()
        vector.withUnsafeBufferPointer {
            storage.write(slot: slot, vector: $0, level: level, normalize: metric == .cosine)
        }
        ids[slot] = id
        slotTable.insert(slot, ids: ids)
        liveCount += 1
        return slot
    }

    // MARK: - Writes

    /// Inserts or replaces `id`; a replaced vector gets a new node and the old one is deleted.
    func upsert(id: String, vector: [Float]) -> Bool {
        let isNew = !markDeleted(id: id)
        let slot = place(id: id, vector: vector, level: drawLevel())
        let scratch = scratchPool.acquire(capacity: storage.capacity, linkCapacity: storage.layer0Stride)
        defer { scratchPool.release(scratch) }
        link(slot, scratch: scratch)
        if pendingDeletes.count >= purgeThreshold { purgeDeleted() }
        return isNew
    }

    /// Deletes `id`; its node is rewired out of the graph by the next purge.
    func remove(id: String) -> Bool {
        guard markDeleted(id: id) else { return false }
        if pendingDeletes.count >= purgeThreshold { purgeDeleted() }
        return true
    }

    /// Unregisters `id` and queues its node for purging; returns false when absent.
    func markDeleted(id: String) -> Bool {
        guard let slot = slotTable.remove(id, ids: ids) else { return false }
        deleted[slot] = true
        pendingDeletes.append(slot)
        liveCount -= 1
        return true
    }

    // MARK: - Reads

    /// Returns the vector stored for `id` as given: under cosine the unit
    /// vector times the kept norm; under int8 quantization without re-ranking, the dequantized code.
    func originalVector(id: String) -> [Float]? {
        guard let slot = slot(of: id) else { return nil }
        let scale = metric == .cosine ? storage.norms[slot] : 1
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: storage.vectorStride) { row in
            storage.dequantize(slot: slot, into: row.baseAddress!)
            return (0..<storage.dimension).map { row[$0] * scale }
        }
    }

    func neighbors(of id: String) -> [[(id: String, similarity: Float)]]? {
        guard let slot = slot(of: id) else { return nil }
        return withStoredQuery(slot) { query in
            (0...storage.level(slot)).map { layer in
                let list = storage.links(slot, layer: layer)
                return (0..<Int(list[0])).compactMap { i -> (id: String, similarity: Float)? in
                    let neighbor = Int(list[1 + i])
                    guard !deleted[neighbor] else { return nil }
                    return (ids[neighbor], metric.similarity(fromDistance: distance(query, neighbor)))
                }
            }
        }
    }

    func randomIDs(count requested: Int) -> [String] {
        guard requested > 0, liveCount > 0 else { return [] }
        if requested >= liveCount { return slotTable.slots.map { ids[$0] }.shuffled() }
        var chosen = Set<Int>()
        var generator = SystemRandomNumberGenerator()
        while chosen.count < requested {
            let slot = Int.random(in: 0..<highWater, using: &generator)
            if storage.level(slot) >= 0 && !deleted[slot] { chosen.insert(slot) }
        }
        return chosen.map { ids[$0] }
    }

    /// Bytes held by the graph: node buffers, the deleted flags and the id
    /// table (the `ids` array, id strings too long to be stored inline, and the slot table).
    var memoryBytes: Int {
        var idBytes = ids.capacity * MemoryLayout<String>.stride + slotTable.memoryBytes + deleted.capacity
        // Ids of more than 15 UTF-8 bytes live in a heap object with a 32-byte header.
        for id in ids where id.utf8.count > 15 { idBytes += 32 + id.utf8.count }
        return storage.memoryBytes + idBytes
    }
}
