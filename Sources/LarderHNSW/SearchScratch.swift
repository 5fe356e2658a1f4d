import Foundation

/// Per-search working memory: a visited set by generation tags (clearing it
/// costs O(1) per search, O(capacity) every 65535 searches) and both heaps.
final class SearchScratch {
    private(set) var tags: UnsafeMutablePointer<UInt16>
    private(set) var capacity: Int
    private(set) var generation: UInt16 = 0
    var candidates = CandidateHeap<ClosestFirst>()
    var results = CandidateHeap<FarthestFirst>()
    /// Nodes marked visited since the last `reset`, for search statistics.
    var visitedCount = 0
    /// Buffer for one copied link list.
    private(set) var links: UnsafeMutablePointer<UInt32>
    private(set) var linkCapacity: Int
    /// Distances computed since the last `reset`, for search statistics.
    var distanceCount = 0

    init(capacity: Int, linkCapacity: Int) {
        self.capacity = capacity
        self.linkCapacity = linkCapacity
        links = .allocate(capacity: linkCapacity)
        tags = .allocate(capacity: max(capacity, 1))
        tags.initialize(repeating: 0, count: max(capacity, 1))
    }

    deinit {
        tags.deallocate()
        links.deallocate()
        candidates.deallocate()
        results.deallocate()
    }

    /// Starts a new visited set covering slots `0..<capacity`.
    func reset(capacity needed: Int) {
        if needed > capacity {
            tags.deallocate()
            capacity = needed
            tags = .allocate(capacity: capacity)
            tags.initialize(repeating: 0, count: capacity)
            generation = 0
        }
        generation &+= 1
        if generation == 0 {
            tags.update(repeating: 0, count: capacity)
            generation = 1
        }
        candidates.removeAll()
        results.removeAll()
        visitedCount = 0
        distanceCount = 0
    }

    /// Marks `slot` visited; returns false when it already was.
    @inline(__always)
    func visit(_ slot: Int) -> Bool {
        if tags[slot] == generation { return false }
        tags[slot] = generation
        visitedCount &+= 1
        return true
    }
}

/// A lock-protected free list of `SearchScratch` objects shared by concurrent searches.
final class ScratchPool: @unchecked Sendable {
    private let lock = NSLock()
    private var pool: [SearchScratch] = []

    func acquire(capacity: Int, linkCapacity: Int) -> SearchScratch {
        lock.lock()
        let scratch = pool.popLast()
        lock.unlock()
        let result = scratch ?? SearchScratch(capacity: capacity, linkCapacity: linkCapacity)
        result.reset(capacity: capacity)
        return result
    }

    func release(_ scratch: SearchScratch) {
        lock.lock()
        pool.append(scratch)
        lock.unlock()
    }
}
