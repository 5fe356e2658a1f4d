import Foundation
import LarderHNSW

extension Collection {
    // MARK: - Policy

    /// Whether the durable segments should be compacted: the deleted fraction
    /// reached `StoreOptions.compactionDeletedFraction`, or (size-tiered) the
    /// segments other than the largest together hold at least
    /// `compactionSizeRatio` times the largest one's elements.
    func needsCompaction() -> Bool {
        lock.reading {
            let durable = sources.filter(\.isDurable)
            guard !durable.isEmpty else { return false }
            let stored = durable.reduce(0) { $0 + $1.index.count }
            let deleted = durable.reduce(0) { $0 + $1.deleted.count }
            if stored > 0, Double(deleted) >= storeOptions.compactionDeletedFraction * Double(stored) { return true }
            guard durable.count >= 2 else { return false }
            let largest = durable.map(\.index.count).max() ?? 0
            return Double(stored - largest) >= storeOptions.compactionSizeRatio * Double(largest)
        }
    }

    func scheduleCompactionIfNeeded() {
        guard storeOptions.automaticMaintenance, needsCompaction() else { return }
        let alreadyScheduled = lock.writing { () -> Bool in
            // A closed collection (for example a dropped one) starts no more work.
            if compactionScheduled || isClosed { return true }
            compactionScheduled = true
            maintenanceTasks += 1
            return false
        }
        guard !alreadyScheduled else { return }
        maintenanceQueue.async { [self] in
            defer { lock.writing { maintenanceTasks -= 1 } }
            lock.writing { compactionScheduled = false }
            guard needsCompaction() else { return }
            do {
                try compactSegments()
            } catch {
                logger.error("background compaction failed; the old segments stay in use", ["error": "\(error)"])
            }
        }
    }

    // MARK: - Compaction

    /// Merges every durable segment into one and purges deleted elements, while
    /// reads and writes continue (Redis has no equivalent; this is on demand).
    /// Waits for background sealing first.
    public func compact() throws {
        try maintenanceQueue.sync {
            try sealFrozenSources()
            try compactSegments()
        }
    }

    /// Copies the largest segment's graph, removes its deleted elements and
    /// inserts the live elements of the other segments, so only the smaller
    /// segments pay for graph construction. Writes the result as a new segment,
    /// then swaps it in and carries over tombstones added during the merge.
    /// Runs on the maintenance queue.
    func compactSegments() throws {
        let (inputs, tombstones, number) = lock.writing { () -> ([IndexSource], [Set<String>], UInt64) in
            let inputs = sources.filter(\.isDurable)
            defer { if !inputs.isEmpty { nextSegmentNumber += 1 } }
            return (inputs, inputs.map(\.deleted), nextSegmentNumber)
        }
        guard !inputs.isEmpty else { return }
        guard inputs.count > 1 || !tombstones[0].isEmpty else { return }

        let start = Date()
        let largest = inputs.indices.max { inputs[$0].index.count < inputs[$1].index.count }!
        let merged: HNSWIndex
        do {
            var base = inputs[largest].index.exportGraph()
            base.configuration = Self.configuration(for: options)
            _ = GraphReachability.connectUnreachableNodes(&base)
            merged = try HNSWIndex(snapshot: base)
        } catch {
            throw StorageError.index("copying segment \(inputs[largest].number) for compaction failed: \(error)")
        }
        var attributes: [String: String] = [:]
        for id in tombstones[largest] { _ = merged.remove(id: id) }
        for (id, value) in inputs[largest].attributes where !tombstones[largest].contains(id) {
            attributes[id] = value
        }
        for (position, input) in inputs.enumerated() where position != largest {
            let snapshot = input.index.exportGraph()
            for id in snapshot.ids where !tombstones[position].contains(id) {
                guard let vector = input.index.vector(for: id) else { continue }
                do {
                    try merged.upsert(id: id, vector: vector)
                } catch {
                    throw StorageError.index("re-inserting '\(id)' during compaction failed: \(error)")
                }
                attributes[id] = input.attributes[id]
            }
        }

        let result = IndexSource(number: number, index: merged, attributes: attributes, isDurable: false)
        var snapshot = merged.exportGraph()
        _ = GraphReachability.connectUnreachableNodes(&snapshot)
        let path = directory + "/" + Manifest.SegmentEntry.fileName(number: number)
        FileSystem.remove(path)
        result.fileSize = try SegmentWriter.write(snapshot: snapshot, attributes: snapshot.ids.map { attributes[$0] },
                                                  vectorEncoding: options.quantization == .int8 ? .int8 : .float32,
                                                  to: path)
        result.isDurable = true

        lock.writing {
            // Deletes and replacements that hit the inputs while merging apply to the result.
            for (position, input) in inputs.enumerated() {
                result.deleted.formUnion(input.deleted.subtracting(tombstones[position]))
            }
            let replaced = Set(inputs.map(\.number))
            let firstPosition = sources.firstIndex { replaced.contains($0.number) } ?? 0
            sources.removeAll { replaced.contains($0.number) }
            sources.insert(result, at: min(firstPosition, sources.count))
            compactionCount += 1
        }
        try persistManifest()
        logger.info("compacted segments",
                    ["inputs": inputs.map { "\($0.number)" }.joined(separator: ","), "segment": "\(number)",
                     "elements": "\(snapshot.ids.count)", "seconds": String(format: "%.2f", Date().timeIntervalSince(start))])
    }
}
