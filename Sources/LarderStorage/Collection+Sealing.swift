import Foundation
import LarderHNSW

extension Collection {
    // MARK: - Freezing the memtable

    /// Freezes the memtable once it reaches `StoreOptions.memtableLimit` and
    /// schedules its segment write. Call with the write lock held.
    func freezeMemtableIfFull() {
        guard storeOptions.automaticMaintenance, memtable.index.count >= storeOptions.memtableLimit else { return }
        do {
            try freezeMemtable()
        } catch {
            // The write that triggered this already succeeded; the next write retries.
            logger.error("freezing the memtable failed; it keeps growing until a retry succeeds", ["error": "\(error)"])
            return
        }
        scheduleSeal()
    }

    /// Moves the memtable into `sources` as a frozen source and starts a new WAL
    /// generation, so the frozen records can be dropped once their segment is
    /// durable. Call with the write lock held.
    func freezeMemtable() throws {
        guard memtable.index.count > 0 else { return }
        let sealedGeneration = wal.position.generation
        _ = try wal.rotate()
        let frozen = memtable
        frozen.number = nextSegmentNumber
        frozen.sealedThroughGeneration = sealedGeneration
        nextSegmentNumber += 1
        sources.append(frozen)
        memtable = newMemtable()
    }

    /// Queues `sealFrozenSources()` unless a queued task will already run it. Call with the write lock held.
    func scheduleSeal() {
        guard !sealScheduled else { return }
        sealScheduled = true
        maintenanceTasks += 1
        maintenanceQueue.async { [self] in
            lock.writing { sealScheduled = false }
            do {
                try sealFrozenSources()
            } catch {
                logger.error("writing a segment failed; the frozen memtable stays in memory and in the WAL until a retry",
                             ["error": "\(error)"])
            }
            scheduleCompactionIfNeeded()
            lock.writing { maintenanceTasks -= 1 }
        }
    }

    // MARK: - Writing segments

    /// Writes every frozen source as a segment, oldest first, and after each one
    /// replaces the manifest and removes WAL files it no longer needs. Runs on the
    /// maintenance queue; reads and writes continue meanwhile.
    func sealFrozenSources() throws {
        while let frozen = lock.reading({ sources.first { !$0.isDurable } }) {
            var snapshot = frozen.index.exportGraph()
            _ = GraphReachability.connectUnreachableNodes(&snapshot)
            let attributes = lock.reading { snapshot.ids.map { frozen.attributes[$0] } }
            let path = directory + "/" + Manifest.SegmentEntry.fileName(number: frozen.number)
            FileSystem.remove(path)
            let size = try SegmentWriter.write(snapshot: snapshot, attributes: attributes,
                                               vectorEncoding: options.quantization == .int8 ? .int8 : .float32,
                                               to: path)
            lock.writing {
                frozen.fileSize = size
                frozen.isDurable = true
            }
            try persistManifest(replayFrom: frozen.sealedThroughGeneration + 1)
            logger.info("sealed memtable into segment",
                        ["segment": "\(frozen.number)", "elements": "\(snapshot.ids.count)", "bytes": "\(size)"])
        }
    }

    // MARK: - Manifest

    /// Builds the manifest for the current durable state. Call with a lock held.
    func currentManifest(replayFrom walGeneration: UInt64) -> Manifest {
        let durable = sources.filter(\.isDurable)
        var deletions: [UInt64: Set<String>] = [:]
        for source in durable where !source.deleted.isEmpty {
            deletions[source.number] = source.deleted
        }
        return Manifest(collectionName: name, dimension: options.dimension, metric: options.metric.rawValue,
                        quantization: options.quantization.rawValue, m: options.m,
                        efConstruction: options.efConstruction, walGeneration: walGeneration,
                        nextSequence: nextSequence, nextSegmentNumber: nextSegmentNumber,
                        segments: durable.map { .init(number: $0.number, elementCount: $0.index.count, fileSize: $0.fileSize) },
                        deletions: deletions)
    }

    /// Writes a manifest of the current state atomically, then removes WAL files
    /// before `replayFrom` (nil keeps the current start) and segment files the
    /// manifest no longer lists.
    ///
    /// The WAL is fsynced first: the manifest may hold tombstones of writes that
    /// are only in the WAL, and those must not outlive a crash that loses the WAL
    /// records they came from.
    func persistManifest(replayFrom: UInt64? = nil) throws {
        manifestLock.lock()
        defer { manifestLock.unlock() }
        let manifest = lock.reading { currentManifest(replayFrom: max(replayFrom ?? manifestWALGeneration, manifestWALGeneration)) }
        try wal.sync()
        try manifest.write(directory: directory)
        manifestWALGeneration = manifest.walGeneration
        removeUnlistedFiles(manifest)
    }

    /// Removes WAL generations older than the manifest's, segment files it does not
    /// list and temporary files.
    /// Call with `manifestLock` held.
    func removeUnlistedFiles(_ manifest: Manifest) {
        let listed = Set(manifest.segments.map(\.fileName))
        let frozen = lock.reading { Set(sources.map { Manifest.SegmentEntry.fileName(number: $0.number) }) }
        for file in (try? FileSystem.contents(of: directory)) ?? [] {
            if let generation = Self.walGeneration(fileName: file), generation < manifest.walGeneration {
                FileSystem.remove(directory + "/" + file)
            } else if file.hasSuffix(".lseg"), !listed.contains(file), !frozen.contains(file) {
                FileSystem.remove(directory + "/" + file)
            } else if file.hasSuffix(".tmp") {
                // Left by a crash inside FileSystem.writeAtomically.
                FileSystem.remove(directory + "/" + file)
            }
        }
    }
}
