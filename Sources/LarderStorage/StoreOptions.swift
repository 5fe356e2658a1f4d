import LarderVector

/// Settings of a `Store` that apply to every collection in it.
public struct StoreOptions: Sendable {
    /// When the write-ahead log is fsynced (Redis's `appendfsync`).
    public var fsync: FsyncPolicy = .everysec
    /// Elements in a collection's memtable before it is sealed into a segment in the background.
    public var memtableLimit = 50_000
    /// Compaction runs when the elements deleted from segments reach this fraction of the elements in them.
    public var compactionDeletedFraction = 0.2
    /// Size-tiered trigger: compaction merges every segment into the largest once the
    /// others together hold at least this multiple of the largest segment's elements.
    public var compactionSizeRatio = 1.0
    /// Whether sealing and compaction start by themselves; with false they run only
    /// from `checkpoint()` and `compact()`.
    public var automaticMaintenance = true

    /// Creates options; every parameter has the default shown.
    public init(fsync: FsyncPolicy = .everysec, memtableLimit: Int = 50_000, compactionDeletedFraction: Double = 0.2,
                compactionSizeRatio: Double = 1.0, automaticMaintenance: Bool = true) {
        self.fsync = fsync
        self.memtableLimit = memtableLimit
        self.compactionDeletedFraction = compactionDeletedFraction
        self.compactionSizeRatio = compactionSizeRatio
        self.automaticMaintenance = automaticMaintenance
    }

    /// Throws `StorageError.invalidOption` for the first value out of range.
    public func validate() throws {
        guard memtableLimit >= 1 else {
            throw StorageError.invalidOption(name: "memtableLimit", value: "\(memtableLimit)", expected: "at least 1 element")
        }
        guard compactionDeletedFraction > 0, compactionDeletedFraction <= 1 else {
            throw StorageError.invalidOption(name: "compactionDeletedFraction", value: "\(compactionDeletedFraction)",
                                             expected: "a fraction in (0, 1]")
        }
        guard compactionSizeRatio > 0, compactionSizeRatio.isFinite else {
            throw StorageError.invalidOption(name: "compactionSizeRatio", value: "\(compactionSizeRatio)",
                                             expected: "a positive number")
        }
    }
}

/// Settings fixed when a collection is created; they are stored in its manifest.
public struct CollectionOptions: Sendable, Equatable {
    /// Number of components of every vector.
    public var dimension: Int
    public var metric: DistanceMetric = .cosine
    /// Vector encoding in segments and for graph traversal; `.int8` (Redis's Q8
    /// default) stores one byte per component plus a scale per vector, and
    /// `.int8Rerank` keeps fp32 vectors in segments and memory for an exact re-rank.
    public var quantization: VectorQuantization = .int8
    /// HNSW links per node on upper layers (layer 0 has `2 * m`).
    public var m = 16
    /// HNSW candidate list size while inserting.
    public var efConstruction = 200

    /// Creates options; every parameter but `dimension` has the default shown.
    public init(dimension: Int, metric: DistanceMetric = .cosine, quantization: VectorQuantization = .int8,
                m: Int = 16, efConstruction: Int = 200) {
        self.dimension = dimension
        self.metric = metric
        self.quantization = quantization
        self.m = m
        self.efConstruction = efConstruction
    }

    /// Throws `StorageError.invalidOption` for the first value out of range.
    public func validate() throws {
        guard dimension >= 1, dimension <= StorageLimits.maxDimension else {
            throw StorageError.invalidOption(name: "dimension", value: "\(dimension)",
                                             expected: "1 to \(StorageLimits.maxDimension)")
        }
        guard quantization != .binary else {
            throw StorageError.invalidOption(name: "quantization", value: quantization.rawValue, expected: "none, int8 or int8-rerank")
        }
        guard m >= 2, m <= 1024 else {
            throw StorageError.invalidOption(name: "m", value: "\(m)", expected: "2 to 1024")
        }
        guard efConstruction >= 1, efConstruction <= 1 << 20 else {
            throw StorageError.invalidOption(name: "efConstruction", value: "\(efConstruction)", expected: "1 to 1048576")
        }
    }
}

/// Counters describing a collection's state, for `VINFO` and monitoring.
public struct CollectionInfo: Sendable, Equatable {
    public var name: String
    public var options: CollectionOptions
    /// Live elements.
    public var count: Int
    /// Elements in the mutable memtable.
    public var memtableCount: Int
    /// Frozen memtables whose segment file is still being written.
    public var sealingCount: Int
    public var segmentCount: Int
    /// Elements stored in segment files, including deleted ones not yet compacted away.
    public var segmentElements: Int
    /// Elements deleted from or replaced in segments, purged by the next compaction.
    public var deletedInSegments: Int
    public var segmentBytes: Int
    /// Bytes in the write-ahead log files still to replay.
    public var walBytes: Int
    public var walGeneration: UInt64
    public var compactions: Int
}
