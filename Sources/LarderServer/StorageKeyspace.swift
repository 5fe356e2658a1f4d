import Foundation
import LarderHNSW
import LarderRESP
import LarderStorage
import LarderVector

/// The durable keyspace: every vector set is a `LarderStorage.Collection` in
/// one data directory, so writes go through the write-ahead log.
public final class StorageKeyspace: VectorKeyspace, @unchecked Sendable {
    /// The store holding every collection.
    public let store: Store
    private let createLock = NSLock()

    /// Opens (and recovers) the data directory.
    ///
    /// - Throws: the storage error naming a damaged file and offset, or an I/O error.
    public init(directory: URL, options: StoreOptions) throws {
        store = try Store(directory: directory, options: options)
    }

    /// Opens the data directory with the fsync policy named as in Redis's
    /// `appendfsync` (`always`, `everysec` or `no`).
    ///
    /// - Throws: `StorageError.invalidOption` for an unknown policy name, and the errors of `init(directory:options:)`.
    public convenience init(directory: URL, appendFsync: String) throws {
        guard let policy = FsyncPolicy(rawValue: appendFsync) else {
            throw StorageError.invalidOption(name: "appendfsync", value: appendFsync, expected: "always, everysec or no")
        }
        var options = StoreOptions()
        options.fsync = policy
        try self.init(directory: directory, options: options)
    }

    public func vectorSet(_ key: String) -> VectorSet? {
        store.collection(named: key).map(StoredVectorSet.init)
    }

    public func vectorSet(_ key: String, creatingWith options: VectorSetOptions) throws -> VectorSet {
        try createLock.withLock {
            if let existing = store.collection(named: key) { return StoredVectorSet(existing) }
            let collectionOptions = CollectionOptions(dimension: options.dimension, metric: .cosine,
                                                      quantization: options.quantization.vectorQuantization,
                                                      m: options.m, efConstruction: options.efConstruction)
            return StoredVectorSet(try store.createCollection(named: key, options: collectionOptions))
        }
    }

    public func drop(_ key: String) throws -> Bool {
        try createLock.withLock { try store.dropCollection(named: key) }
    }

    public var keys: [String] { store.collectionNames }

    public func save() throws { try store.checkpoint() }

    public func close() throws { try store.close() }

    public func persistenceInfo() -> [(String, String)] {
        var segments = 0
        var segmentBytes = 0
        var walBytes = 0
        for name in store.collectionNames {
            guard let info = store.collection(named: name)?.info() else { continue }
            segments += info.segmentCount
            segmentBytes += info.segmentBytes
            walBytes += info.walBytes
        }
        return [("storage", "disk"), ("fsync", store.options.fsync.rawValue), ("segments", "\(segments)"),
                ("segment_bytes", "\(segmentBytes)"), ("wal_bytes", "\(walBytes)")]
    }
}

/// A collection seen through the server's `VectorSet` protocol.
final class StoredVectorSet: VectorSet, @unchecked Sendable {
    let collection: Collection

    init(_ collection: Collection) { self.collection = collection }

    var options: VectorSetOptions {
        let stored = collection.options
        return VectorSetOptions(dimension: stored.dimension, quantization: VectorSetQuantization(stored.quantization),
                                m: stored.m, efConstruction: stored.efConstruction)
    }

    var count: Int { collection.count }

    func add(element: String, vector: [Float], attributes: String?) throws -> Bool {
        try collection.add(id: element, vector: vector, attributes: attributes)
    }

    func remove(element: String) throws -> Bool { try collection.remove(id: element) }

    func setAttributes(element: String, json: String?) throws -> Bool {
        try collection.setAttributes(id: element, json: json)
    }

    func attributes(element: String) -> String? { collection.attributes(id: element) }

    func vector(element: String) -> [Float]? { collection.vector(id: element) }

    func contains(element: String) -> Bool { collection.contains(id: element) }

    func search(_ query: [Float], count: Int, ef: Int, filter: ((String, String?) -> Bool)?,
                exact: Bool) throws -> [VectorSetHit] {
        try collection.search(query, k: count, ef: ef, filter: filter, exact: exact).map(VectorSetHit.init)
    }

    func randomElements(count: Int) -> [String] { collection.randomMembers(count: count) }

    func links(element: String) -> [[VectorSetHit]]? {
        collection.links(id: element)?.map { layer in
            layer.map { VectorSetHit(element: $0.id, similarity: Double($0.similarity)) }
        }
    }

    func infoFields() -> [(String, RESPValue)] {
        let info = collection.info()
        return [("memtable-size", .integer(Int64(info.memtableCount))),
                ("segments", .integer(Int64(info.segmentCount))),
                ("segment-elements", .integer(Int64(info.segmentElements))),
                ("deleted-in-segments", .integer(Int64(info.deletedInSegments))),
                ("segment-bytes", .integer(Int64(info.segmentBytes))),
                ("wal-bytes", .integer(Int64(info.walBytes))),
                ("compactions", .integer(Int64(info.compactions)))]
    }
}
