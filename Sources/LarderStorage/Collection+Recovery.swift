import Foundation
import LarderHNSW
import LarderLog
import LarderVector

extension Collection {
    // MARK: - Creating

    /// Creates the files of a new, empty collection in the existing empty `directory`.
    static func create(name: String, options: CollectionOptions, directory: String,
                       storeOptions: StoreOptions) throws -> Collection {
        let collection = Collection(name: name, options: options, directory: directory, storeOptions: storeOptions)
        try collection.currentManifest(replayFrom: 1).write(directory: directory)
        collection.wal = try WriteAheadLog(directory: directory, generation: 1, validLength: nil,
                                           policy: storeOptions.fsync, logger: collection.logger)
        return collection
    }

    // MARK: - Recovery

    /// Opens the collection in `directory`: reads the manifest, loads and verifies
    /// every segment, replays the WAL from the manifest's generation and cuts off a
    /// torn tail of the last WAL file (logging the bytes and records dropped).
    ///
    /// - Throws: `StorageError.corrupt` naming the file and offset when the
    ///   manifest, a segment or a WAL record before the tail is damaged, and
    ///   `StorageError.unsupportedVersion` for an unknown format version. The
    ///   collection is never opened with part of its data.
    static func open(directory: String, storeOptions: StoreOptions) throws -> Collection {
        let manifest = try Manifest.read(directory: directory)
        let manifestPath = directory + "/" + Manifest.fileName
        let options = try collectionOptions(from: manifest, file: manifestPath)
        let collection = Collection(name: manifest.collectionName, options: options, directory: directory,
                                    storeOptions: storeOptions)
        collection.nextSequence = manifest.nextSequence
        collection.nextSegmentNumber = manifest.nextSegmentNumber
        collection.manifestWALGeneration = manifest.walGeneration
        for entry in manifest.segments {
            let source = try loadSegment(entry, directory: directory, options: options)
            source.deleted = manifest.deletions[entry.number] ?? []
            collection.sources.append(source)
        }
        try collection.replayWAL(from: manifest.walGeneration)
        collection.removeUnlistedFiles(manifest)
        // Work that a crash interrupted restarts now instead of waiting for the next write.
        collection.lock.writing { collection.freezeMemtableIfFull() }
        collection.scheduleCompactionIfNeeded()
        return collection
    }

    private static func collectionOptions(from manifest: Manifest, file: String) throws -> CollectionOptions {
        guard let metric = DistanceMetric(rawValue: manifest.metric),
              let quantization = VectorQuantization(rawValue: manifest.quantization) else {
            throw StorageError.corrupt(file: file, offset: 16,
                                       reason: "unknown metric '\(manifest.metric)' or quantization '\(manifest.quantization)'")
        }
        let options = CollectionOptions(dimension: manifest.dimension, metric: metric, quantization: quantization,
                                        m: manifest.m, efConstruction: manifest.efConstruction)
        do {
            try options.validate()
        } catch {
            throw StorageError.corrupt(file: file, offset: 16, reason: "invalid collection options: \(error)")
        }
        return options
    }

    private static func loadSegment(_ entry: Manifest.SegmentEntry, directory: String,
                                    options: CollectionOptions) throws -> IndexSource {
        let path = directory + "/" + entry.fileName
        let contents = try SegmentReader.read(path: path)
        let graphOffset = contents.blocks.first { $0.kind == .graph }?.offset ?? 0
        guard contents.header.elementCount == entry.elementCount, contents.fileSize == entry.fileSize else {
            throw StorageError.corrupt(file: path, offset: 16,
                                       reason: "segment has \(contents.header.elementCount) elements and \(contents.fileSize) bytes but the manifest lists \(entry.elementCount) and \(entry.fileSize)")
        }
        guard contents.header.dimension == options.dimension, contents.header.metric == options.metric else {
            throw StorageError.corrupt(file: path, offset: 24, reason: "segment dimension or metric differs from the collection's")
        }
        var snapshot = contents.snapshot
        snapshot.configuration = configuration(for: options)
        let index: HNSWIndex
        do {
            index = try HNSWIndex(snapshot: snapshot)
        } catch {
            throw StorageError.corrupt(file: path, offset: graphOffset, reason: "graph does not load: \(error)")
        }
        var attributes: [String: String] = [:]
        for (id, value) in zip(snapshot.ids, contents.attributes) where value != nil {
            attributes[id] = value
        }
        let source = IndexSource(number: entry.number, index: index, attributes: attributes, isDurable: true)
        source.fileSize = contents.fileSize
        return source
    }

    /// Replays WAL generations `first...` into the memtable and opens the last
    /// one for appending.
    private func replayWAL(from first: UInt64) throws {
        let generations = walFileSizes().map(\.generation).filter { $0 >= first }
        for (position, generation) in generations.enumerated() where generation != first + UInt64(position) {
            throw StorageError.corrupt(file: WriteAheadLog.path(directory: directory, generation: first + UInt64(position)),
                                       offset: 0, reason: "WAL generation \(first + UInt64(position)) is missing")
        }
        var lastValidLength: Int?
        var lastSequence: UInt64 = 0
        for generation in generations {
            let path = WriteAheadLog.path(directory: directory, generation: generation)
            let result = try WALReader.read(path: path, expectedGeneration: generation)
            if result.droppedBytes > 0 {
                guard generation == generations.last else {
                    throw StorageError.corrupt(file: path, offset: result.validLength,
                                               reason: "damaged record in a WAL file that was complete before the next one started")
                }
                logger.warning("cut off a torn write-ahead log tail",
                               ["path": path, "offset": "\(result.validLength)", "droppedBytes": "\(result.droppedBytes)",
                                "droppedRecords": "\(result.droppedRecords)"])
            }
            for record in result.records {
                guard record.sequence > lastSequence else {
                    throw StorageError.corrupt(file: path, offset: 0,
                                               reason: "sequence number \(record.sequence) does not follow \(lastSequence) of the previous WAL file")
                }
                lastSequence = record.sequence
                do {
                    try apply(record.operation)
                } catch {
                    throw StorageError.corrupt(file: path, offset: 0,
                                               reason: "record \(record.sequence) does not apply: \(error)")
                }
                nextSequence = max(nextSequence, record.sequence + 1)
            }
            lastValidLength = result.validLength
        }
        let generation = generations.last ?? first
        wal = try WriteAheadLog(directory: directory, generation: generation, validLength: lastValidLength,
                                policy: storeOptions.fsync, logger: logger)
        let replayed = memtable.index.count
        if !generations.isEmpty {
            logger.info("recovered collection", ["segments": "\(sources.count)", "memtableElements": "\(replayed)",
                                                 "walGenerations": "\(generations.count)"])
        }
    }
}
