import Foundation
import LarderRESP

/// A keyspace kept only in memory, with exact (brute-force) search: the
/// backend of `larder serve --in-memory` and of protocol tests that need no disk.
///
/// - Complexity: search is O(n · d) per query.
public final class MemoryKeyspace: VectorKeyspace, @unchecked Sendable {
    private let lock = NSLock()
    private var sets: [String: MemoryVectorSet] = [:]

    public init() {}

    public func vectorSet(_ key: String) -> VectorSet? {
        lock.withLock { sets[key] }
    }

    public func vectorSet(_ key: String, creatingWith options: VectorSetOptions) throws -> VectorSet {
        lock.withLock {
            if let existing = sets[key] { return existing }
            let created = MemoryVectorSet(options: options)
            sets[key] = created
            return created
        }
    }

    public func drop(_ key: String) throws -> Bool {
        lock.withLock { sets.removeValue(forKey: key) != nil }
    }

    public var keys: [String] { lock.withLock { Array(sets.keys) } }

    public func save() throws {}

    public func close() throws {}

    public func persistenceInfo() -> [(String, String)] { [("storage", "memory")] }
}

/// An in-memory vector set: unit vectors in one array, exact cosine search.
final class MemoryVectorSet: VectorSet, @unchecked Sendable {
    let options: VectorSetOptions
    private let lock = NSLock()
    private var rows: [String: Int] = [:]
    private var names: [String] = []
    private var unitVectors: [Float] = []
    private var norms: [Float] = []
    private var attributeTexts: [String: String] = [:]

    init(options: VectorSetOptions) {
        self.options = options
    }

    var count: Int { lock.withLock { names.count } }

    func add(element: String, vector: [Float], attributes: String?) throws -> Bool {
        let norm = sqrt(vector.reduce(0) { $0 + $1 * $1 })
        let unit = vector.map { $0 / norm }
        return lock.withLock {
            if let attributes { attributeTexts[element] = attributes }
            if let row = rows[element] {
                unitVectors.replaceSubrange(row * options.dimension..<(row + 1) * options.dimension, with: unit)
                norms[row] = norm
                return false
            }
            rows[element] = names.count
            names.append(element)
            unitVectors += unit
            norms.append(norm)
            return true
        }
    }

    func remove(element: String) throws -> Bool {
        lock.withLock {
            guard let row = rows.removeValue(forKey: element) else { return false }
            attributeTexts.removeValue(forKey: element)
            // Move the last row into the hole so rows stay dense.
            let last = names.count - 1
            let dimension = options.dimension
            if row != last {
                let moved = names[last]
                names[row] = moved
                rows[moved] = row
                norms[row] = norms[last]
                for component in 0..<dimension {
                    unitVectors[row * dimension + component] = unitVectors[last * dimension + component]
                }
            }
            names.removeLast()
            norms.removeLast()
            unitVectors.removeLast(dimension)
            return true
        }
    }

    func setAttributes(element: String, json: String?) throws -> Bool {
        lock.withLock {
            guard rows[element] != nil else { return false }
            attributeTexts[element] = json
            return true
        }
    }

    func attributes(element: String) -> String? { lock.withLock { attributeTexts[element] } }

    func vector(element: String) -> [Float]? {
        lock.withLock {
            guard let row = rows[element] else { return nil }
            let dimension = options.dimension
            return unitVectors[row * dimension..<(row + 1) * dimension].map { $0 * norms[row] }
        }
    }

    func contains(element: String) -> Bool { lock.withLock { rows[element] != nil } }

    func search(_ query: [Float], count: Int, ef: Int, filter: ((String) -> Bool)?, exact: Bool) throws -> [VectorSetHit] {
        let norm = sqrt(query.reduce(0) { $0 + $1 * $1 })
        let unit = query.map { $0 / norm }
        let dimension = options.dimension
        let scored: [(String, Float)] = lock.withLock {
            var result: [(String, Float)] = []
            result.reserveCapacity(names.count)
            for row in 0..<names.count {
                var dot: Float = 0
                for component in 0..<dimension { dot += unit[component] * unitVectors[row * dimension + component] }
                result.append((names[row], dot))
            }
            return result
        }
        // The filter runs outside the lock, because it reads attributes through this set.
        let matching = filter.map { accept in scored.filter { accept($0.0) } } ?? scored
        let best = matching.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.prefix(count)
        return best.map { VectorSetHit(element: $0.0, similarity: Double(min(1, max(0, (1 + $0.1) / 2)))) }
    }

    func randomElements(count: Int) -> [String] {
        lock.withLock { Array(names.shuffled().prefix(count)) }
    }

    func links(element: String) -> [[VectorSetHit]]? {
        // No graph: an exact set has no links, so every element reports one empty layer.
        contains(element: element) ? [[]] : nil
    }

    func infoFields() -> [(String, RESPValue)] {
        [("max-level", .integer(0)), ("index", .bulk("exact"))]
    }
}
