import Foundation
import LarderHNSW
import LarderLog
import LarderVector

/// A durable vector set: elements with an id, a vector and optional JSON
/// attributes, searchable by similarity.
///
/// Writes go to the write-ahead log and then to the memtable, an in-memory
/// HNSW graph. A full memtable is frozen, written as an immutable segment file
/// in the background and listed in the manifest. Searches span the memtable,
/// frozen memtables and every segment, and merge the top k. Compaction merges
/// segments and purges deleted elements, also in the background.
///
/// Thread safety: every method may be called from any thread. Reads share a
/// readers-writer lock; writes hold it exclusively while they append to the WAL
/// and update the memtable, then wait for the fsync policy without it, so
/// concurrent writers share fsyncs.
public final class Collection: @unchecked Sendable {
    /// The collection's name (a Redis key).
    public let name: String
    /// Options fixed at creation.
    public let options: CollectionOptions
    let directory: String
    let storeOptions: StoreOptions
    let logger: Logger

    let lock = StateLock()
    var memtable: IndexSource
    /// Frozen memtables and segments, oldest first.
    var sources: [IndexSource] = []
    var wal: WriteAheadLog!
    var nextSequence: UInt64 = 1
    var nextSegmentNumber: UInt64 = 1
    /// First WAL generation that recovery replays, as stored in the manifest on disk.
    var manifestWALGeneration: UInt64 = 1
    var compactionCount = 0
    var isClosed = false

    /// Runs sealing and compaction one task at a time, in order.
    let maintenanceQueue: DispatchQueue
    /// Serializes manifest writes, file removals and snapshots.
    let manifestLock = NSLock()
    var sealScheduled = false
    var compactionScheduled = false
    /// Maintenance tasks queued or running; `waitForMaintenance()` waits for zero.
    var maintenanceTasks = 0

    init(name: String, options: CollectionOptions, directory: String, storeOptions: StoreOptions) {
        self.name = name
        self.options = options
        self.directory = directory
        self.storeOptions = storeOptions
        self.logger = Logger(label: "storage", metadata: ["collection": name])
        self.maintenanceQueue = DispatchQueue(label: "larder.storage.maintenance")
        self.memtable = IndexSource(number: 0, index: HNSWIndex(configuration: Self.configuration(for: options)),
                                    attributes: [:], isDurable: false)
    }

    /// The HNSW configuration of every index in a collection with `options`.
    static func configuration(for options: CollectionOptions) -> HNSWConfiguration {
        HNSWConfiguration(dimension: options.dimension, metric: options.metric, m: options.m,
                          efConstruction: options.efConstruction, quantization: options.quantization)
    }

    func newMemtable() -> IndexSource {
        IndexSource(number: 0, index: HNSWIndex(configuration: Self.configuration(for: options)),
                    attributes: [:], isDurable: false)
    }

    // MARK: - Writes

    /// Inserts an element or replaces its vector and attributes (Redis `VADD`).
    /// Returns once the write satisfies the store's fsync policy.
    ///
    /// - Parameter attributes: a JSON document; nil or empty stores none.
    /// - Returns: true when `id` was not in the collection before.
    /// - Throws: `VectorError` for a vector of the wrong dimension or with
    ///   non-finite values, and `StorageError` for a bad id or a failed write
    ///   (for example `ENOSPC`). A rejected write changes nothing.
    @discardableResult
    public func add(id: String, vector: [Float], attributes: String?) throws -> Bool {
        try Self.validate(id: id)
        try LarderVector.validate(vector, dimension: options.dimension, metric: options.metric)
        let attributes = try Self.normalize(attributes)
        let (isNew, ticket) = try lock.writing { () throws -> (Bool, UInt64) in
            let ticket = try log(.upsert(id: id, vector: vector, attributes: attributes))
            let isNew = try applyUpsert(id: id, vector: vector, attributes: attributes)
            freezeMemtableIfFull()
            return (isNew, ticket)
        }
        try wal.waitUntilDurable(ticket)
        if !isNew { scheduleCompactionIfNeeded() }
        return isNew
    }

    /// Removes an element (Redis `VREM`). Returns false, writing nothing, when it is absent.
    @discardableResult
    public func remove(id: String) throws -> Bool {
        let ticket = try lock.writing { () throws -> UInt64? in
            guard isPresent(id) else { return nil }
            let ticket = try log(.delete(id: id))
            applyDelete(id: id)
            return ticket
        }
        guard let ticket else { return false }
        try wal.waitUntilDurable(ticket)
        scheduleCompactionIfNeeded()
        return true
    }

    /// Replaces an element's attributes (Redis `VSETATTR`); nil or an empty string
    /// removes them. Returns false when the element is absent.
    ///
    /// An element that lives in a segment is moved to the memtable with its
    /// vector, and the WAL records a full upsert, so replay never depends on
    /// which segment held it.
    @discardableResult
    public func setAttributes(id: String, json: String?) throws -> Bool {
        let attributes = try Self.normalize(json)
        let ticket = try lock.writing { () throws -> UInt64? in
            if memtable.index.contains(id) {
                let ticket = try log(.setAttributes(id: id, attributes: attributes))
                applySetAttributes(id: id, attributes: attributes)
                return ticket
            }
            guard let source = liveSource(of: id), let vector = source.index.vector(for: id) else { return nil }
            let ticket = try log(.upsert(id: id, vector: vector, attributes: attributes))
            _ = try applyUpsert(id: id, vector: vector, attributes: attributes)
            freezeMemtableIfFull()
            return ticket
        }
        guard let ticket else { return false }
        try wal.waitUntilDurable(ticket)
        return true
    }

    /// Appends a record with the next sequence number. Call with the write lock held.
    private func log(_ operation: WALOperation) throws -> UInt64 {
        guard !isClosed else { throw StorageError.closed("collection '\(name)'") }
        if let failure = wal.failureCause {
            throw StorageError.writesDisabled(collection: name, cause: "\(failure)")
        }
        let ticket = try wal.append(WALRecord(sequence: nextSequence, operation: operation))
        nextSequence += 1
        return ticket
    }

    // MARK: - Applying operations (write lock held; also used by WAL replay)

    /// Whether `id` is live anywhere. Call with the lock held.
    func isPresent(_ id: String) -> Bool {
        memtable.index.contains(id) || liveSource(of: id) != nil
    }

    /// The frozen memtable or segment where `id` is live, if any.
    func liveSource(of id: String) -> IndexSource? {
        sources.last { $0.isLive(id) }
    }

    func applyUpsert(id: String, vector: [Float], attributes: String?) throws -> Bool {
        var isNew = !memtable.index.contains(id)
        if let older = liveSource(of: id) {
            older.deleted.insert(id)
            isNew = false
        }
        do {
            try memtable.index.upsert(id: id, vector: vector)
        } catch {
            throw StorageError.index("\(error)")
        }
        memtable.attributes[id] = attributes
        return isNew
    }

    func applyDelete(id: String) {
        if memtable.index.remove(id: id) {
            memtable.attributes[id] = nil
        }
        liveSource(of: id)?.deleted.insert(id)
    }

    func applySetAttributes(id: String, attributes: String?) {
        guard memtable.index.contains(id) else { return }
        memtable.attributes[id] = attributes
    }

    func apply(_ operation: WALOperation) throws {
        switch operation {
        case let .upsert(id, vector, attributes):
            _ = try applyUpsert(id: id, vector: vector, attributes: attributes)
        case let .delete(id):
            applyDelete(id: id)
        case let .setAttributes(id, attributes):
            applySetAttributes(id: id, attributes: attributes)
        }
    }

    // MARK: - Input checks

    static func validate(id: String) throws {
        let length = id.utf8.count
        guard length >= 1, length <= StorageLimits.maxIdentifierBytes else { throw StorageError.invalidIdentifier(id) }
    }

    /// Maps an empty document to nil and checks the size limit.
    static func normalize(_ attributes: String?) throws -> String? {
        guard let attributes, !attributes.isEmpty else { return nil }
        let bytes = attributes.utf8.count
        guard bytes <= StorageLimits.maxAttributeBytes else {
            throw StorageError.attributesTooLarge(bytes: bytes, limit: StorageLimits.maxAttributeBytes)
        }
        return attributes
    }
}
