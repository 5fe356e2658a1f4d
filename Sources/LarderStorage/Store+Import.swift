import Foundation
import LarderHNSW
import LarderVector

extension Store {
    // MARK: - Bulk import

    /// Creates a collection from many elements at once, bypassing the write-ahead log.
    ///
    /// Every row is checked first. The elements are then linked into one HNSW
    /// graph with the parallel bulk build (`HNSWIndex.bulkInsert`), in batches of
    /// `batchSize` so `progress` can report, and the graph is written as the
    /// collection's only segment. The segment and a fresh manifest are written
    /// in a staging directory that is renamed into place, so a crash leaves
    /// either no collection or the whole one. A server that already has the
    /// store open does not see the new collection until it reopens the directory.
    ///
    /// - Parameters:
    ///   - ids: distinct element ids.
    ///   - vectors: `ids.count * options.dimension` components, one row per id.
    ///   - attributes: nil, or one JSON document (or nil) per id.
    ///   - threads: threads that link elements into the graph.
    ///   - batchSize: elements per bulk-build call.
    ///   - progress: called after each batch with the number of elements linked so far.
    /// - Throws: `StorageError.collectionExists`, `.invalidCollectionName` or
    ///   `.invalidOption` for a bad name or options. `StorageError.invalidElement`
    ///   names the first bad row (id, vector or attributes) or a repeated id.
    ///   `StorageError.io` means a file could not be written.
    /// - Complexity: O(n · efConstruction · log n) distance computations, spread over `threads`.
    @discardableResult
    public func importCollection(named name: String, options collectionOptions: CollectionOptions, ids: [String],
                                 vectors: [Float], attributes: [String?]? = nil, threads: Int,
                                 batchSize: Int = 50_000, progress: ((Int) -> Void)? = nil) throws -> Collection {
        try collectionOptions.validate()
        let length = name.utf8.count
        guard length >= 1, length <= StorageLimits.maxCollectionNameBytes else {
            throw StorageError.invalidCollectionName(name)
        }
        guard collection(named: name) == nil else { throw StorageError.collectionExists(name) }
        let dimension = collectionOptions.dimension
        guard vectors.count == ids.count * dimension else {
            throw StorageError.invalidOption(name: "vectors", value: "\(vectors.count) components",
                                             expected: "\(ids.count) ids x \(dimension) dimensions = \(ids.count * dimension)")
        }
        if let attributes, attributes.count != ids.count {
            throw StorageError.invalidOption(name: "attributes", value: "\(attributes.count) entries",
                                             expected: "one entry per id (\(ids.count))")
        }
        if ids.isEmpty { return try createCollection(named: name, options: collectionOptions) }
        let normalizedAttributes = try Self.checkImportRows(ids: ids, vectors: vectors, attributes: attributes,
                                                            options: collectionOptions)

        let index = HNSWIndex(configuration: Collection.configuration(for: collectionOptions))
        var linked = 0
        while linked < ids.count {
            let end = min(linked + max(1, batchSize), ids.count)
            let batch = (linked..<end).map { row in
                (id: ids[row], vector: Array(vectors[row * dimension..<(row + 1) * dimension]))
            }
            do {
                try index.bulkInsert(batch, threads: threads)
            } catch {
                // Rows were checked above, so this is a failure inside the index layer.
                throw StorageError.index("bulk build of rows \(linked)..<\(end) failed: \(error)")
            }
            linked = end
            progress?(linked)
        }
        return try installImportedCollection(named: name, options: collectionOptions, index: index,
                                             attributes: normalizedAttributes)
    }

    /// Checks ids, vectors and attributes row by row, and returns the attributes
    /// by id with empty documents dropped.
    private static func checkImportRows(ids: [String], vectors: [Float], attributes: [String?]?,
                                        options: CollectionOptions) throws -> [String: String] {
        var seen = Set<String>(minimumCapacity: ids.count)
        var byID: [String: String] = [:]
        try vectors.withUnsafeBufferPointer { buffer in
            for (row, id) in ids.enumerated() {
                do {
                    try Collection.validate(id: id)
                    let start = row * options.dimension
                    try validate(UnsafeBufferPointer(rebasing: buffer[start..<start + options.dimension]),
                                 dimension: options.dimension, metric: options.metric)
                    if let document = try Collection.normalize(attributes?[row]) { byID[id] = document }
                } catch {
                    throw StorageError.invalidElement(row: row, id: id, reason: "\(error)")
                }
                guard seen.insert(id).inserted else {
                    throw StorageError.invalidElement(row: row, id: id, reason: "the id appears in an earlier row")
                }
            }
        }
        return byID
    }

    /// Writes the graph as segment 1 with a manifest in a staging directory,
    /// renames it into the store and opens it.
    private func installImportedCollection(named name: String, options collectionOptions: CollectionOptions,
                                           index: HNSWIndex, attributes: [String: String]) throws -> Collection {
        var snapshot = index.exportGraph()
        _ = GraphReachability.connectUnreachableNodes(&snapshot)
        let final = newCollectionPath()
        let staging = final + ".creating"
        try FileSystem.createDirectory(staging)
        do {
            let size = try SegmentWriter.write(snapshot: snapshot, attributes: snapshot.ids.map { attributes[$0] },
                                               vectorEncoding: collectionOptions.quantization == .int8 ? .int8 : .float32,
                                               to: staging + "/" + Manifest.SegmentEntry.fileName(number: 1))
            let manifest = Manifest(collectionName: name, dimension: collectionOptions.dimension,
                                    metric: collectionOptions.metric.rawValue,
                                    quantization: collectionOptions.quantization.rawValue, m: collectionOptions.m,
                                    efConstruction: collectionOptions.efConstruction, walGeneration: 1,
                                    nextSequence: 1, nextSegmentNumber: 2,
                                    segments: [.init(number: 1, elementCount: snapshot.ids.count, fileSize: size)],
                                    deletions: [:])
            try manifest.write(directory: staging)
        } catch {
            try? FileSystem.removeTree(staging)
            throw error
        }
        return try registerStagedCollection(named: name, staging: staging, final: final)
    }
}
