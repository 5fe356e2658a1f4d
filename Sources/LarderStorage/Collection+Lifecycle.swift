import Foundation

extension Collection {
    // MARK: - Checkpoint and close

    /// Seals the memtable into a segment, waits for it and fsyncs the manifest
    /// (Redis `SAVE`). Afterwards recovery replays nothing older than this call.
    public func checkpoint() throws {
        try lock.writing {
            guard !isClosed else { throw StorageError.closed("collection '\(name)'") }
            try freezeMemtable()
        }
        try maintenanceQueue.sync {
            try sealFrozenSources()
            try persistManifest()
        }
    }

    /// Waits until no background sealing or compaction is queued or running,
    /// including work that a finishing task queues.
    public func waitForMaintenance() {
        repeat {
            maintenanceQueue.sync {}
        } while lock.reading({ maintenanceTasks > 0 })
    }

    /// Waits for background work, then fsyncs and closes the WAL. Later writes
    /// throw `StorageError.closed`; reads keep working on the in-memory state.
    func close() throws {
        waitForMaintenance()
        let alreadyClosed = lock.writing { () -> Bool in
            defer { isClosed = true }
            return isClosed
        }
        guard !alreadyClosed else { return }
        try wal.close()
    }

    // MARK: - Snapshots

    /// Writes a consistent copy of the collection to the new directory `destination`
    /// while it keeps serving. Segment files are hard-linked because they are
    /// immutable. The manifest is written fresh and the WAL is copied up to the
    /// position captured with it. `Store.restoreCollection(named:from:)` opens the copy.
    ///
    /// - Throws: `StorageError.io` when `destination` exists or a file cannot be
    ///   linked or copied (for example across file systems, where hard links fail).
    public func snapshot(to destination: URL) throws {
        manifestLock.lock()
        defer { manifestLock.unlock() }
        let target = destination.path
        guard mkdir(target, 0o755) == 0 else { throw StorageError.io(operation: "mkdir", path: target, errno: errno) }
        let (manifest, walEnd) = lock.reading { () -> (Manifest, (generation: UInt64, length: Int)) in
            (currentManifest(replayFrom: manifestWALGeneration), wal.position)
        }
        for segment in manifest.segments {
            try FileSystem.hardLink(directory + "/" + segment.fileName, to: target + "/" + segment.fileName)
        }
        for generation in manifest.walGeneration...walEnd.generation {
            let source = WriteAheadLog.path(directory: directory, generation: generation)
            var bytes = try FileSystem.readFile(source)
            if generation == walEnd.generation { bytes.removeSubrange(min(walEnd.length, bytes.count)...) }
            let copy = try FileDescriptor.createExclusive(WriteAheadLog.path(directory: target, generation: generation))
            try copy.write(bytes)
            try copy.sync()
            copy.close()
        }
        try manifest.write(directory: target)
        logger.info("wrote snapshot", ["path": target, "segments": "\(manifest.segments.count)",
                                       "walGenerations": "\(walEnd.generation - manifest.walGeneration + 1)"])
    }
}
