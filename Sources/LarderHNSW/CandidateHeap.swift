/// A (distance, slot) pair in the search heaps.
struct Candidate {
    var distance: Float
    var slot: UInt32
}

/// The order of a `CandidateHeap`, fixed at compile time so the comparison
/// in the sift loops is a single instruction.
protocol HeapOrder {
    /// Returns whether `a` belongs above `b` in the heap.
    static func before(_ a: Float, _ b: Float) -> Bool
}

/// Closest on top: the candidate set C of the search algorithm.
enum ClosestFirst: HeapOrder {
    @inline(__always) static func before(_ a: Float, _ b: Float) -> Bool { a < b }
}

/// Farthest on top: the result set W of the search algorithm.
enum FarthestFirst: HeapOrder {
    @inline(__always) static func before(_ a: Float, _ b: Float) -> Bool { a > b }
}

/// A binary heap of candidates on a manually managed buffer, so pushes and
/// pops run without array uniqueness or capacity checks.
///
/// The owner (`SearchScratch`) keeps one heap per order between searches and
/// calls `deallocate()` once. Copies of the struct share the buffer. A search
/// works on a local copy and stores it back, because `push` may move the buffer.
struct CandidateHeap<Order: HeapOrder> {
    private(set) var elements: UnsafeMutablePointer<Candidate>
    private(set) var count = 0
    private(set) var capacity: Int

    init(capacity: Int = 256) {
        self.capacity = max(capacity, 16)
        elements = .allocate(capacity: self.capacity)
    }

    func deallocate() { elements.deallocate() }

    var isEmpty: Bool { count == 0 }

    /// The element on top; the heap must not be empty.
    var top: Candidate {
        @inline(__always) get { elements[0] }
    }

    mutating func removeAll() { count = 0 }

    /// - Complexity: O(log n); amortized O(1) growth.
    @inline(__always)
    mutating func push(_ candidate: Candidate) {
        if count == capacity { grow() }
        var child = count
        count &+= 1
        while child > 0 {
            let parent = (child &- 1) >> 1
            let above = elements[parent]
            guard Order.before(candidate.distance, above.distance) else { break }
            elements[child] = above
            child = parent
        }
        elements[child] = candidate
    }

    /// Removes and returns the top element; the heap must not be empty.
    /// - Complexity: O(log n).
    @discardableResult @inline(__always)
    mutating func pop() -> Candidate {
        let first = elements[0]
        count &-= 1
        guard count > 0 else { return first }
        let last = elements[count]
        var parent = 0
        while true {
            var child = 2 &* parent &+ 1
            guard child < count else { break }
            if child &+ 1 < count && Order.before(elements[child &+ 1].distance, elements[child].distance) {
                child &+= 1
            }
            guard Order.before(elements[child].distance, last.distance) else { break }
            elements[parent] = elements[child]
            parent = child
        }
        elements[parent] = last
        return first
    }

    private mutating func grow() {
        let larger = UnsafeMutablePointer<Candidate>.allocate(capacity: capacity * 2)
        larger.moveInitialize(from: elements, count: count)
        elements.deallocate()
        elements = larger
        capacity *= 2
    }
}

extension CandidateHeap where Order == FarthestFirst {
    /// Returns the elements closest first (ties by slot), leaving the heap empty.
    /// - Complexity: O(n log n).
    mutating func drainSorted() -> [Candidate] {
        let total = count
        return [Candidate](unsafeUninitializedCapacity: total) { buffer, initialized in
            var position = total
            while count > 0 {
                position -= 1
                buffer[position] = pop()
            }
            initialized = total
            // Equal distances pop in heap order; order them by slot so results are deterministic.
            var start = 0
            while start < total {
                var end = start + 1
                while end < total && buffer[end].distance == buffer[start].distance { end += 1 }
                if end - start > 1 { buffer[start..<end].sort { $0.slot < $1.slot } }
                start = end
            }
        }
    }
}
