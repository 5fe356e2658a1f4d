import LarderRESP
import LarderHNSW
import LarderVector

/// Vector encoding of a vector set, chosen by the first VADD
/// (`NOQUANT`, `Q8` or `BIN`, as in Redis vector sets, or Larder's
/// `Q8RERANK`: int8 traversal with an exact fp32 re-rank).
public enum VectorSetQuantization: String, Sendable, CaseIterable {
    case noquant = "f32"
    case q8 = "int8"
    case q8Rerank = "int8-rerank"
    case binary = "bin"

    /// The VADD option that selects this mode.
    public var keyword: String {
        switch self {
        case .noquant: return "NOQUANT"
        case .q8: return "Q8"
        case .q8Rerank: return "Q8RERANK"
        case .binary: return "BIN"
        }
    }

    /// The index encoding this mode maps to.
    public var vectorQuantization: VectorQuantization {
        switch self {
        case .noquant: return .none
        case .q8: return .int8
        case .q8Rerank: return .int8Rerank
        case .binary: return .binary
        }
    }

    /// Creates the mode of an index encoding.
    public init(_ quantization: VectorQuantization) {
        switch quantization {
        case .none: self = .noquant
        case .int8: self = .q8
        case .int8Rerank: self = .q8Rerank
        case .binary: self = .binary
        }
    }
}

/// Parameters of a new vector set, taken from the VADD that creates it.
public struct VectorSetOptions: Sendable, Equatable {
    /// Number of components of every vector.
    public var dimension: Int
    /// Vector encoding.
    public var quantization: VectorSetQuantization
    /// HNSW links per node (`M`).
    public var m: Int
    /// HNSW candidate list size while inserting (`EF` of VADD).
    public var efConstruction: Int

    public init(dimension: Int, quantization: VectorSetQuantization = .q8, m: Int = 16, efConstruction: Int = 200) {
        self.dimension = dimension
        self.quantization = quantization
        self.m = m
        self.efConstruction = efConstruction
    }
}

/// One VSIM result.
public struct VectorSetHit: Sendable, Equatable {
    /// The element's name.
    public var element: String
    /// Redis score: `(1 + cos) / 2`, 1 for identical vectors, 0 for opposite ones.
    public var similarity: Double

    public init(element: String, similarity: Double) {
        self.element = element
        self.similarity = similarity
    }

    /// Creates a hit from an index search result.
    public init(_ hit: SearchHit) {
        self.init(element: hit.id, similarity: Double(hit.similarity))
    }
}

/// One vector set (a Redis key holding elements with a vector and optional
/// JSON attributes). Implementations are safe to call from several threads.
public protocol VectorSet: AnyObject, Sendable {
    /// The options the set was created with.
    var options: VectorSetOptions { get }
    /// Number of elements.
    var count: Int { get }
    /// Inserts or replaces an element; returns true when it was new. Returns
    /// once the write is as durable as the server's fsync policy requires.
    func add(element: String, vector: [Float], attributes: String?) throws -> Bool
    /// Removes an element; returns false when it was absent.
    func remove(element: String) throws -> Bool
    /// Replaces (or with nil, deletes) the attributes; returns false when the element is absent.
    func setAttributes(element: String, json: String?) throws -> Bool
    /// Returns the element's attributes as JSON text, or nil.
    func attributes(element: String) -> String?
    /// Returns the element's vector as added (up to rounding), or nil when absent.
    func vector(element: String) -> [Float]?
    /// Returns whether the element exists.
    func contains(element: String) -> Bool
    /// Returns the `count` elements most similar to `query`, most similar first.
    /// `exact` scans every element; `filter` is called with each candidate's
    /// name and attributes and must not call back into the set.
    func search(_ query: [Float], count: Int, ef: Int, filter: ((String, String?) -> Bool)?,
                exact: Bool) throws -> [VectorSetHit]
    /// Up to `count` distinct random elements.
    func randomElements(count: Int) -> [String]
    /// Returns the element's graph neighbours per layer, layer 0 first, with similarities; nil when absent.
    func links(element: String) -> [[VectorSetHit]]?
    /// Extra VINFO fields beyond those derived from `options` and `count`.
    func infoFields() -> [(String, RESPValue)]
}

/// Every vector set of a server, by key. Implementations are safe to call
/// from several threads.
public protocol VectorKeyspace: AnyObject, Sendable {
    /// Returns the set stored under `key`, or nil.
    func vectorSet(_ key: String) -> VectorSet?
    /// Returns the set under `key`, creating it with `options` when absent. Lookup and creation are atomic.
    func vectorSet(_ key: String, creatingWith options: VectorSetOptions) throws -> VectorSet
    /// Deletes the set under `key`; returns false when absent.
    func drop(_ key: String) throws -> Bool
    /// Every key, in no particular order.
    var keys: [String] { get }
    /// Writes a checkpoint of every set (SAVE).
    func save() throws
    /// Flushes pending writes and releases files; called once at shutdown.
    func close() throws
    /// `key=value` lines for INFO persistence.
    func persistenceInfo() -> [(String, String)]
}
