/// One result of a nearest-neighbour search over row indices.
public struct Neighbor: Sendable, Equatable {
    /// Row index in the searched matrix.
    public var index: Int
    /// Distance under the search's metric; smaller is closer.
    public var distance: Float

    @inlinable
    public init(index: Int, distance: Float) {
        self.index = index
        self.distance = distance
    }
}

/// The `k` closest neighbours seen so far, kept as a binary max-heap on
/// distance so the farthest kept element is at the root and can be replaced
/// in O(log k).
public struct TopKHeap: Sendable {
    /// Maximum number of elements kept.
    public let capacity: Int
    @usableFromInline var elements: [Neighbor] = []

    /// Creates an empty heap that keeps at most `capacity` elements.
    public init(capacity: Int) {
        self.capacity = max(0, capacity)
        elements.reserveCapacity(self.capacity)
    }

    /// Number of elements kept.
    @inlinable public var count: Int { elements.count }

    /// Distance of the farthest kept element, or +infinity while the heap has room.
    @inlinable
    public var threshold: Float {
        elements.count < capacity ? .infinity : elements[0].distance
    }

    /// Offers a candidate and keeps it when it is among the `capacity` closest.
    /// - Complexity: O(log k).
    @inlinable
    public mutating func insert(index: Int, distance: Float) {
        if elements.count < capacity {
            elements.append(Neighbor(index: index, distance: distance))
            siftUp(elements.count - 1)
        } else if capacity > 0 && distance < elements[0].distance {
            elements[0] = Neighbor(index: index, distance: distance)
            siftDown(0)
        }
    }

    /// Returns the kept elements from closest to farthest (ties by ascending index).
    /// - Complexity: O(k log k).
    public func sorted() -> [Neighbor] {
        elements.sorted { ($0.distance, $0.index) < ($1.distance, $1.index) }
    }

    @inlinable
    mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard elements[child].distance > elements[parent].distance else { return }
            elements.swapAt(child, parent)
            child = parent
        }
    }

    @inlinable
    mutating func siftDown(_ start: Int) {
        var parent = start
        let count = elements.count
        while true {
            let left = 2 * parent + 1
            guard left < count else { return }
            var largest = left
            let right = left + 1
            if right < count && elements[right].distance > elements[left].distance { largest = right }
            guard elements[largest].distance > elements[parent].distance else { return }
            elements.swapAt(parent, largest)
            parent = largest
        }
    }
}
