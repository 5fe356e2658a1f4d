import LarderVector

/// Errors of `HNSWIndex` that are not about a single vector (those are `VectorError`).
public enum HNSWError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A configuration parameter is below its minimum.
    case invalidConfiguration(parameter: String, value: Int, minimum: Int)
    /// A configuration parameter is above its maximum.
    case configurationTooLarge(parameter: String, value: Int, maximum: Int)
    /// A snapshot passed to `HNSWIndex(snapshot:)` is inconsistent.
    case invalidSnapshot(String)
    /// The graph violates an invariant; `checkIntegrity()` reports the first one found.
    case integrityViolation(HNSWIntegrityViolation)
    /// An id appears twice in one bulk insert or snapshot.
    case duplicateID(String)

    public var description: String {
        switch self {
        case let .invalidConfiguration(parameter, value, minimum):
            return "invalid HNSW configuration: \(parameter) is \(value) but must be at least \(minimum)"
        case let .configurationTooLarge(parameter, value, maximum):
            return "invalid HNSW configuration: \(parameter) is \(value) but must be at most \(maximum)"
        case let .invalidSnapshot(reason):
            return "invalid HNSW snapshot: \(reason); the file may be corrupt, rebuild it from the source vectors"
        case let .integrityViolation(violation):
            return "HNSW integrity check failed: \(violation)"
        case let .duplicateID(id):
            return "duplicate id '\(id)' in one batch; give each element a distinct id"
        }
    }
}

/// The first broken invariant that `HNSWIndex.checkIntegrity()` finds.
public enum HNSWIntegrityViolation: Equatable, Sendable, CustomStringConvertible {
    /// A node links to itself.
    case selfLink(id: String, layer: Int)
    /// A node lists the same neighbour twice on one layer.
    case duplicateLink(id: String, neighbor: String, layer: Int)
    /// A node has more links on a layer than the layer allows.
    case degreeExceeded(id: String, layer: Int, degree: Int, maximum: Int)
    /// A link points at a free slot or at a node whose level is below the layer.
    case danglingLink(id: String, layer: Int, slot: Int)
    /// A live node cannot be reached from the entry point on layer 0.
    case unreachable(id: String)
    /// The entry point is missing, free, or not on the top level.
    case badEntryPoint(String)
    /// The id table and the node storage disagree.
    case idTableMismatch(String)

    public var description: String {
        switch self {
        case let .selfLink(id, layer): return "node '\(id)' links to itself on layer \(layer)"
        case let .duplicateLink(id, neighbor, layer): return "node '\(id)' lists '\(neighbor)' twice on layer \(layer)"
        case let .degreeExceeded(id, layer, degree, maximum):
            return "node '\(id)' has \(degree) links on layer \(layer), more than the maximum \(maximum)"
        case let .danglingLink(id, layer, slot): return "node '\(id)' links to invalid slot \(slot) on layer \(layer)"
        case let .unreachable(id): return "node '\(id)' is not reachable from the entry point on layer 0"
        case let .badEntryPoint(reason): return "bad entry point: \(reason)"
        case let .idTableMismatch(reason): return "id table mismatch: \(reason)"
        }
    }
}
