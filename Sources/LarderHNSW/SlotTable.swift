/// A hash index from external ids to node slots: open addressing with linear
/// probing over 32-bit slot numbers, where the keys are not stored again but
/// read from the graph's `ids` array.
///
/// A `[String: Int]` dictionary stores a 16-byte key and an 8-byte value per
/// bucket. This table stores 4 bytes per bucket at a load factor between 3/8
/// and 3/4, so an id costs its 16-byte entry in `ids` plus 5.3 to 10.7 bytes.
/// Deletion shifts later entries of the probe run back (no tombstones), so
/// lookups stay short under churn.
struct SlotTable {
    private static let empty = UInt32.max
    private var buckets: [UInt32] = Array(repeating: SlotTable.empty, count: 16)
    private(set) var count = 0

    /// Bytes held by the buckets.
    var memoryBytes: Int { buckets.capacity * MemoryLayout<UInt32>.stride }

    @inline(__always)
    private func home(of id: String, mask: Int) -> Int { id.hashValue & mask }

    /// Returns the slot stored for `id`, reading candidate keys from `ids`.
    /// - Complexity: O(1) expected.
    func slot(of id: String, ids: [String]) -> Int? {
        let mask = buckets.count - 1
        var position = home(of: id, mask: mask)
        while true {
            let slot = buckets[position]
            if slot == Self.empty { return nil }
            if ids[Int(slot)] == id { return Int(slot) }
            position = (position + 1) & mask
        }
    }

    /// Adds `slot`, whose id `ids[slot]` must not be in the table yet.
    mutating func insert(_ slot: Int, ids: [String]) {
        if (count + 1) * 4 > buckets.count * 3 { rehash(buckets.count * 2, ids: ids) }
        place(UInt32(slot), id: ids[slot])
        count += 1
    }

    private mutating func place(_ slot: UInt32, id: String) {
        let mask = buckets.count - 1
        var position = home(of: id, mask: mask)
        while buckets[position] != Self.empty { position = (position + 1) & mask }
        buckets[position] = slot
    }

    /// Removes `id` and returns its slot, or nil when absent. `ids` must
    /// still hold the id of every slot in the table, `id`'s included.
    mutating func remove(_ id: String, ids: [String]) -> Int? {
        let mask = buckets.count - 1
        var hole = home(of: id, mask: mask)
        while true {
            let slot = buckets[hole]
            if slot == Self.empty { return nil }
            if ids[Int(slot)] == id { break }
            hole = (hole + 1) & mask
        }
        let removed = Int(buckets[hole])
        // Backward-shift deletion: move each later entry of the run into the
        // hole unless its home lies cyclically in (hole, position].
        var position = hole
        while true {
            position = (position + 1) & mask
            let slot = buckets[position]
            if slot == Self.empty { break }
            let target = home(of: ids[Int(slot)], mask: mask)
            let staysPut = hole <= position
                ? (hole < target && target <= position)
                : (hole < target || target <= position)
            if staysPut { continue }
            buckets[hole] = slot
            hole = position
        }
        buckets[hole] = Self.empty
        count -= 1
        return removed
    }

    /// Sizes the table for `expected` entries without rehashing later.
    mutating func reserve(_ expected: Int, ids: [String]) {
        var size = buckets.count
        while expected * 4 > size * 3 { size *= 2 }
        if size > buckets.count { rehash(size, ids: ids) }
    }

    private mutating func rehash(_ size: Int, ids: [String]) {
        let old = buckets
        buckets = Array(repeating: Self.empty, count: size)
        for slot in old where slot != Self.empty { place(slot, id: ids[Int(slot)]) }
    }

    /// Every stored slot, in bucket order.
    var slots: [Int] { buckets.compactMap { $0 == Self.empty ? nil : Int($0) } }
}
