import Foundation
import LarderHNSW
import LarderVector

extension Collection {
    // MARK: - Lookups

    /// Number of live elements (Redis `VCARD`).
    public var count: Int {
        lock.reading { memtable.index.count + sources.reduce(0) { $0 + $1.liveCount } }
    }

    /// Whether `id` is in the collection.
    public func contains(id: String) -> Bool {
        lock.reading { isPresent(id) }
    }

    /// The element's attributes, or nil when it has none or is absent (Redis `VGETATTR`).
    public func attributes(id: String) -> String? {
        lock.reading {
            if memtable.index.contains(id) { return memtable.attributes[id] }
            return liveSource(of: id)?.attributes[id]
        }
    }

    /// Returns the element's vector as given at insert (Redis `VEMB`). After the
    /// element is sealed into an int8 segment, this is the dequantized approximation.
    public func vector(id: String) -> [Float]? {
        lock.reading {
            if let vector = memtable.index.vector(for: id) { return vector }
            return liveSource(of: id)?.index.vector(for: id)
        }
    }

    /// Up to `count` distinct random element ids (Redis `VRANDMEMBER`).
    public func randomMembers(count: Int) -> [String] {
        guard count > 0 else { return [] }
        return lock.reading {
            var generator = SystemRandomNumberGenerator()
            var members = memtable.index.randomIDs(count: count)
            for source in sources {
                let needed = min(count, source.liveCount)
                guard needed > 0 else { continue }
                // Draw extra ids so tombstoned ones can be skipped.
                let drawn = source.index.randomIDs(count: min(source.index.count, needed + source.deleted.count))
                members.append(contentsOf: drawn.lazy.filter { !source.deleted.contains($0) }.prefix(needed))
            }
            members.shuffle(using: &generator)
            return Array(members.prefix(count))
        }
    }

    /// The element's HNSW neighbours on each layer, with similarity (Redis `VLINKS`);
    /// nil when the element is absent. Neighbours deleted since the segment was written are left out.
    public func links(id: String) -> [[(id: String, similarity: Float)]]? {
        lock.reading {
            if memtable.index.contains(id) { return memtable.index.neighbors(of: id) }
            guard let source = liveSource(of: id), let layers = source.index.neighbors(of: id) else { return nil }
            return layers.map { layer in layer.filter { !source.deleted.contains($0.id) } }
        }
    }

    // MARK: - Search

    /// Returns the `k` elements closest to `query` across the memtable and every
    /// segment (Redis `VSIM`), closest first. Deleted and replaced elements are never returned.
    ///
    /// - Parameters:
    ///   - ef: HNSW candidate list size per source; nil uses the index default.
    ///   - filter: called with each candidate's id and attributes; only elements
    ///     for which it returns true are returned.
    ///   - exact: scan every vector instead of walking the graphs.
    /// - Throws: `VectorError` for a query of the wrong dimension or with non-finite values.
    public func search(_ query: [Float], k: Int, ef: Int? = nil,
                       filter: ((_ id: String, _ attributes: String?) -> Bool)? = nil,
                       exact: Bool = false) throws -> [SearchHit] {
        try LarderVector.validate(query, dimension: options.dimension, metric: options.metric)
        guard k > 0 else { throw VectorError.invalidParameter(name: "k", value: k) }
        if let ef, ef < 1 { throw VectorError.invalidParameter(name: "ef", value: ef) }
        return try lock.reading {
            var hits: [SearchHit] = []
            for source in [memtable] + sources {
                let deleted = source.deleted
                let attributes = source.attributes
                let sourceFilter: ((String) -> Bool)?
                switch (deleted.isEmpty, filter) {
                case (true, nil):
                    sourceFilter = nil
                case (false, nil):
                    sourceFilter = { !deleted.contains($0) }
                case (_, let filter?):
                    sourceFilter = { !deleted.contains($0) && filter($0, attributes[$0]) }
                }
                let found = exact
                    ? try source.index.exactSearch(query, k: k, filter: sourceFilter)
                    : try source.index.search(query, k: k, ef: ef, filter: sourceFilter)
                hits.append(contentsOf: found)
            }
            hits.sort { $0.distance < $1.distance || ($0.distance == $1.distance && $0.id < $1.id) }
            return Array(hits.prefix(k))
        }
    }

    // MARK: - Statistics

    /// Counters for `VINFO` and monitoring.
    public func info() -> CollectionInfo {
        let walBytes = walFileSizes().reduce(0) { $0 + $1.size }
        return lock.reading {
            let durable = sources.filter(\.isDurable)
            return CollectionInfo(
                name: name, options: options,
                count: memtable.index.count + sources.reduce(0) { $0 + $1.liveCount },
                memtableCount: memtable.index.count,
                sealingCount: sources.count - durable.count,
                segmentCount: durable.count,
                segmentElements: durable.reduce(0) { $0 + $1.index.count },
                deletedInSegments: durable.reduce(0) { $0 + $1.deleted.count },
                segmentBytes: durable.reduce(0) { $0 + $1.fileSize },
                walBytes: walBytes,
                walGeneration: wal.position.generation,
                compactions: compactionCount)
        }
    }

    /// WAL files in the collection directory with their generation and size, oldest first.
    func walFileSizes() -> [(generation: UInt64, size: Int)] {
        let names = (try? FileSystem.contents(of: directory)) ?? []
        return names.compactMap { name -> (UInt64, Int)? in
            guard let generation = Self.walGeneration(fileName: name) else { return nil }
            var status = stat()
            let size = stat(directory + "/" + name, &status) == 0 ? Int(status.st_size) : 0
            return (generation, size)
        }.sorted { $0.0 < $1.0 }
    }

    /// Parses `wal-<generation>.log`.
    static func walGeneration(fileName: String) -> UInt64? {
        guard fileName.hasPrefix("wal-"), fileName.hasSuffix(".log") else { return nil }
        return UInt64(fileName.dropFirst(4).dropLast(4))
    }
}
