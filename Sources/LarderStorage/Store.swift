import Foundation
import LarderLog

/// A data directory holding every collection, one subdirectory each
/// (`c-<random hex>`, with the collection's name in its manifest).
///
/// Opening a store recovers every collection. A collection whose files are
/// damaged makes `init` throw the error naming the file and offset, because
/// serving a store with a collection silently missing would look like data loss.
public final class Store: @unchecked Sendable {
    public let directory: URL
    public let options: StoreOptions
    private let lock = NSLock()
    private var collections: [String: Collection] = [:]
    private var isClosed = false
    private let logger = Logger(label: "storage")

    /// Opens the store in `directory`, creating the directory when missing, and
    /// recovers every collection in it.
    ///
    /// - Throws: `StorageError.invalidOption` for bad options, `StorageError.io`
    ///   when the directory cannot be read, and the recovery errors of a damaged collection.
    public init(directory: URL, options: StoreOptions = StoreOptions()) throws {
        try options.validate()
        self.directory = directory
        self.options = options
        try FileSystem.createDirectories(directory.path)
        let start = Date()
        for entry in try FileSystem.contents(of: directory.path) {
            let path = directory.path + "/" + entry
            if entry.hasSuffix(".creating") || entry.hasSuffix(".dropping") {
                try FileSystem.removeTree(path)
                continue
            }
            guard entry.hasPrefix("c-") else { continue }
            let collection = try Collection.open(directory: path, storeOptions: options)
            collections[collection.name] = collection
        }
        logger.info("opened store", ["path": directory.path, "collections": "\(collections.count)",
                                     "seconds": String(format: "%.3f", Date().timeIntervalSince(start))])
    }

    /// Names of every collection, sorted.
    public var collectionNames: [String] {
        lock.lock()
        defer { lock.unlock() }
        return collections.keys.sorted()
    }

    /// The collection called `name`, or nil.
    public func collection(named name: String) -> Collection? {
        lock.lock()
        defer { lock.unlock() }
        return collections[name]
    }

    /// Creates an empty collection.
    /// - Throws: `StorageError.collectionExists`, `.invalidCollectionName`, `.invalidOption` or `.io`.
    public func createCollection(named name: String, options collectionOptions: CollectionOptions) throws -> Collection {
        try collectionOptions.validate()
        let length = name.utf8.count
        guard length >= 1, length <= StorageLimits.maxCollectionNameBytes else {
            throw StorageError.invalidCollectionName(name)
        }
        lock.lock()
        defer { lock.unlock() }
        guard !isClosed else { throw StorageError.closed("store \(directory.path)") }
        guard collections[name] == nil else { throw StorageError.collectionExists(name) }
        let final = newCollectionPath()
        let staging = final + ".creating"
        try FileSystem.createDirectory(staging)
        do {
            let created = try Collection.create(name: name, options: collectionOptions, directory: staging,
                                                storeOptions: options)
            try created.close()
        } catch {
            try? FileSystem.removeTree(staging)
            throw error
        }
        try FileSystem.rename(staging, to: final)
        try FileSystem.syncDirectory(directory.path)
        let collection = try Collection.open(directory: final, storeOptions: options)
        collections[name] = collection
        logger.info("created collection", ["collection": name, "dimension": "\(collectionOptions.dimension)"])
        return collection
    }

    /// Deletes a collection and its files. Returns false when it does not exist.
    @discardableResult
    public func dropCollection(named name: String) throws -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard let collection = collections[name] else { return false }
        try? collection.close()
        let dropping = collection.directory + ".dropping"
        try FileSystem.rename(collection.directory, to: dropping)
        try FileSystem.syncDirectory(directory.path)
        collections[name] = nil
        try FileSystem.removeTree(dropping)
        logger.info("dropped collection", ["collection": name])
        return true
    }

    /// Restores a snapshot written by `Collection.snapshot(to:)` as a new
    /// collection called `name`. Segment files are hard-linked when possible.
    /// - Throws: `StorageError.collectionExists` when `name` is taken, and the
    ///   recovery errors when the snapshot is damaged.
    @discardableResult
    public func restoreCollection(named name: String, from snapshot: URL) throws -> Collection {
        lock.lock()
        defer { lock.unlock() }
        guard collections[name] == nil else { throw StorageError.collectionExists(name) }
        var manifest = try Manifest.read(directory: snapshot.path)
        let final = newCollectionPath()
        let staging = final + ".creating"
        try FileSystem.createDirectory(staging)
        do {
            for file in try FileSystem.contents(of: snapshot.path) where file != Manifest.fileName {
                let source = snapshot.path + "/" + file
                if (try? FileSystem.hardLink(source, to: staging + "/" + file)) == nil {
                    // Hard links fail across file systems; copy the bytes instead.
                    let copy = try FileDescriptor.createExclusive(staging + "/" + file)
                    try copy.write(try FileSystem.readFile(source))
                    try copy.sync()
                    copy.close()
                }
            }
            manifest.collectionName = name
            try manifest.write(directory: staging)
            try FileSystem.rename(staging, to: final)
            try FileSystem.syncDirectory(directory.path)
        } catch {
            try? FileSystem.removeTree(staging)
            throw error
        }
        let collection = try Collection.open(directory: final, storeOptions: options)
        collections[name] = collection
        logger.info("restored collection", ["collection": name, "from": snapshot.path])
        return collection
    }

    /// Seals every collection's memtable and fsyncs everything (Redis `SAVE`).
    public func checkpoint() throws {
        for collection in allCollections() { try collection.checkpoint() }
    }

    /// Waits for background work, fsyncs and closes every WAL. Call on shutdown.
    public func close() throws {
        lock.lock()
        isClosed = true
        lock.unlock()
        var firstError: Error?
        for collection in allCollections() {
            do { try collection.close() } catch {
                logger.error("closing collection failed", ["collection": collection.name, "error": "\(error)"])
                firstError = firstError ?? error
            }
        }
        if let firstError { throw firstError }
    }

    private func allCollections() -> [Collection] {
        lock.lock()
        defer { lock.unlock() }
        return Array(collections.values)
    }

    /// Renames a fully written collection directory `staging` to `final`, opens
    /// it and registers it under `name`.
    /// - Throws: `StorageError.collectionExists` when `name` was taken meanwhile
    ///   (the staging directory is removed), `.closed`, and the errors of opening it.
    func registerStagedCollection(named name: String, staging: String, final: String) throws -> Collection {
        lock.lock()
        defer { lock.unlock() }
        guard !isClosed, collections[name] == nil else {
            try? FileSystem.removeTree(staging)
            if isClosed { throw StorageError.closed("store \(directory.path)") }
            throw StorageError.collectionExists(name)
        }
        try FileSystem.rename(staging, to: final)
        try FileSystem.syncDirectory(directory.path)
        let collection = try Collection.open(directory: final, storeOptions: options)
        collections[name] = collection
        logger.info("imported collection", ["collection": name, "elements": "\(collection.count)"])
        return collection
    }

    func newCollectionPath() -> String {
        while true {
            let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 16)
            let path = directory.path + "/c-" + suffix
            if !FileSystem.fileExists(path) && !FileSystem.fileExists(path + ".creating") { return path }
        }
    }
}
