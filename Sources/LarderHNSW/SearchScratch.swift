import Foundation

/// A (distance, slot) pair in the search heaps.
struct Candidate {
    var distance: Float
    var slot: UInt32
}

/// A binary heap of candidates. `isMax` selects a max-heap (the farthest on
/// top, for the result set W) or a min-heap (the closest on top, for the
/// candidate set C of the search algorithm). The storage is kept between
/// searches, so a warm search allocates nothing for its heaps.
struct CandidateHeap {
    private(set) var elements: [Candidate] = []
    let isMax: Bool

    init(isMax: Bool) { self.isMax = isMax }

    var count: Int { elements.count }
    var isEmpty: Bool { elements.isEmpty }
    var top: Candidate { elements[0] }

    mutating func removeAll() { elements.removeAll(keepingCapacity: true) }

    @inline(__always)
    private func before(_ a: Candidate, _ b: Candidate) -> Bool {
        isMax ? a.distance > b.distance : a.distance < b.distance
    }

    mutating func push(_ candidate: Candidate) {
        elements.append(candidate)
        var child = elements.count - 1
        while child > 0 {
            let parent = (child - 1) >> 1
            guard before(elements[child], elements[parent]) else { break }
            elements.swapAt(child, parent)
            child = parent
        }
    }

    @discardableResult
    mutating func pop() -> Candidate {
        let first = elements[0]
        let last = elements.removeLast()
        guard !elements.isEmpty else { return first }
        elements[0] = last
        var parent = 0
        let count = elements.count
        while true {
            let left = 2 * parent + 1
            guard left < count else { break }
            var best = left
            if left + 1 < count && before(elements[left + 1], elements[left]) { best = left + 1 }
            guard before(elements[best], elements[parent]) else { break }
            elements.swapAt(parent, best)
            parent = best
        }
        return first
    }

    /// Returns the elements sorted closest first, leaving the heap empty.
    mutating func drainSorted() -> [Candidate] {
        let sorted = elements.sorted { ($0.distance, $0.slot) < ($1.distance, $1.slot) }
        elements.removeAll(keepingCapacity: true)
        return sorted
    }
}

/// Per-search working memory: a visited set by generation tags (clearing it
/// costs O(1) per search, O(capacity) every 65535 searches) and both heaps.
final class SearchScratch {
    private(set) var tags: UnsafeMutablePointer<UInt16>
    private(set) var capacity: Int
    private(set) var generation: UInt16 = 0
    var candidates = CandidateHeap(isMax: false)
    var results = CandidateHeap(isMax: true)
    /// Nodes marked visited since the last `reset`, for search statistics.
    var visitedCount = 0
    /// Buffer for one copied link list.
    private(set) var links: UnsafeMutablePointer<UInt32>
    private(set) var linkCapacity: Int
    /// Distances computed since the last `reset`, for search statistics.
    var distanceCount = 0
    /// Sum of the bytes read by `GraphView.touchRows`, stored so the reads are not optimized away.
    var touchSink: UInt8 = 0

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
