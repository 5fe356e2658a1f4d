import Foundation
import LarderHNSW
import LarderRESP
import LarderVector

/// A keyspace kept only in memory (`larder serve --in-memory`): each set is
/// an `HNSWIndex` plus a table of attributes. Nothing is written to disk.
public final class MemoryKeyspace: VectorKeyspace, @unchecked Sendable {
    private let lock = NSLock()
    private var sets: [String: MemoryVectorSet] = [:]

    public init() {}

    public func vectorSet(_ key: String) -> VectorSet? {
        lock.withLock { sets[key] }
    }

    public func vectorSet(_ key: String, creatingWith options: VectorSetOptions) throws -> VectorSet {
        try lock.withLock {
            if let existing = sets[key] { return existing }
            let created = try MemoryVectorSet(options: options)
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

/// One in-memory vector set.
final class MemoryVectorSet: VectorSet, @unchecked Sendable {
    let options: VectorSetOptions
    private let index: HNSWIndex
    private let lock = NSLock()
    private var attributeTexts: [String: String] = [:]

    init(options: VectorSetOptions) throws {
        self.options = options
        index = try HNSWIndex(validating: HNSWConfiguration(
            dimension: options.dimension, metric: .cosine, m: options.m, efConstruction: options.efConstruction,
            quantization: options.quantization.vectorQuantization))
    }

    var count: Int { index.count }

    func add(element: String, vector: [Float], attributes: String?) throws -> Bool {
        let added = try index.upsert(id: element, vector: vector)
        lock.withLock { attributeTexts[element] = attributes }
        return added
    }

    func remove(element: String) throws -> Bool {
        let removed = index.remove(id: element)
        lock.withLock { _ = attributeTexts.removeValue(forKey: element) }
        return removed
    }

    func setAttributes(element: String, json: String?) throws -> Bool {
        guard index.contains(element) else { return false }
        lock.withLock { attributeTexts[element] = json }
        return true
    }

    func attributes(element: String) -> String? { lock.withLock { attributeTexts[element] } }

    func vector(element: String) -> [Float]? { index.vector(for: element) }

    func contains(element: String) -> Bool { index.contains(element) }

    func search(_ query: [Float], count: Int, ef: Int, filter: ((String, String?) -> Bool)?,
                exact: Bool) throws -> [VectorSetHit] {
        let idFilter: ((String) -> Bool)? = filter.map { accept in
            { [self] id in accept(id, self.attributes(element: id)) }
        }
        let hits = exact ? try index.exactSearch(query, k: count, filter: idFilter)
            : try index.search(query, k: count, ef: ef, filter: idFilter)
        return hits.map(VectorSetHit.init)
    }

    func randomElements(count: Int) -> [String] { index.randomIDs(count: count) }

    func links(element: String) -> [[VectorSetHit]]? {
        index.neighbors(of: element)?.map { layer in
            layer.map { VectorSetHit(element: $0.id, similarity: Double($0.similarity)) }
        }
    }

    func infoFields() -> [(String, RESPValue)] {
        let layers = index.neighbors(of: index.randomIDs(count: 1).first ?? "")?.count ?? 0
        return [("attributes-count", .integer(Int64(lock.withLock { attributeTexts.count }))),
                ("sample-levels", .integer(Int64(layers)))]
    }
}
