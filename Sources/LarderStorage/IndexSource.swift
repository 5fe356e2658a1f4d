import LarderHNSW

/// One searchable part of a collection: the mutable memtable, a frozen
/// memtable whose segment is being written, or a sealed segment.
///
/// Every element id is live in at most one source. When a write replaces or
/// deletes an element that lives in a frozen or sealed source, the id goes into
/// that source's `deleted` set (a tombstone) instead of changing the source.
final class IndexSource: @unchecked Sendable {
    /// Segment number; the memtable gets one when it is frozen.
    var number: UInt64
    let index: HNSWIndex
    /// Attributes by element id; elements without attributes have no entry.
    var attributes: [String: String]
    /// Tombstones: ids in `index` that were deleted or replaced later.
    var deleted: Set<String> = []
    /// Size of the segment file, 0 until it is written.
    var fileSize = 0
    /// Whether the segment file is written and listed in the manifest.
    var isDurable: Bool
    /// For a frozen memtable: the last WAL generation holding its records, so
    /// WAL replay can start after it once the segment is durable.
    var sealedThroughGeneration: UInt64 = 0

    init(number: UInt64, index: HNSWIndex, attributes: [String: String], isDurable: Bool) {
        self.number = number
        self.index = index
        self.attributes = attributes
        self.isDurable = isDurable
    }

    /// Elements that are not tombstoned.
    var liveCount: Int { index.count - deleted.count }

    func isLive(_ id: String) -> Bool {
        !deleted.contains(id) && index.contains(id)
    }
}
