import Foundation
import LarderRESP

/// The server a `larder bench` run drives, and the commands it sends there.
///
/// Both targets store row `i` of the base vectors under a name that ends in
/// `i`, so replies map back to rows for recall@k.
enum BenchTarget {
    /// Larder (or Redis vector sets): `VADD key FP32 blob i` and `VSIM key FP32 blob COUNT k [EF ef]`.
    case vectorSet(key: String)
    /// RediSearch: `HSET v:i vec blob` into an HNSW index over the `v:` prefix,
    /// searched with `FT.SEARCH idx "*=>[KNN k @vec $q EF_RUNTIME ef]"`.
    case rediSearch(index: String)

    static let rediSearchPrefix = "v:"

    // MARK: - Commands

    /// Prepares an empty vector set or index before loading.
    func reset(over connection: BenchConnection, dimension: Int, m: Int, efConstruction: Int) throws {
        switch self {
        case .vectorSet(let key):
            _ = try connection.call(["DEL", key].map(bytes))
        case .rediSearch(let index):
            // DD also deletes the hashes; an error only means there was no index.
            _ = try connection.call(["FT.DROPINDEX", index, "DD"].map(bytes))
            let schema = ["FT.CREATE", index, "ON", "HASH", "PREFIX", "1", Self.rediSearchPrefix, "SCHEMA", "vec",
                          "VECTOR", "HNSW", "10", "TYPE", "FLOAT32", "DIM", "\(dimension)", "DISTANCE_METRIC", "COSINE",
                          "M", "\(m)", "EF_CONSTRUCTION", "\(efConstruction)"]
            let reply = try connection.call(schema.map(bytes))
            if case .error(let message) = reply { throw BenchError.reply("FT.CREATE failed: \(message)") }
        }
    }

    /// Returns the command that stores base row `row`.
    func loadCommand(row: Int, blob: [UInt8]) -> [[UInt8]] {
        switch self {
        case .vectorSet(let key):
            return [bytes("VADD"), bytes(key), bytes("FP32"), blob, bytes(String(row))]
        case .rediSearch:
            return [bytes("HSET"), bytes(Self.rediSearchPrefix + String(row)), bytes("vec"), blob]
        }
    }

    /// Returns the k-nearest-neighbour query for `blob`. A nil `ef` leaves the server's default.
    func searchCommand(blob: [UInt8], k: Int, ef: Int?) -> [[UInt8]] {
        switch self {
        case .vectorSet(let key):
            var command = [bytes("VSIM"), bytes(key), bytes("FP32"), blob, bytes("COUNT"), bytes(String(k))]
            if let ef { command += [bytes("EF"), bytes(String(ef))] }
            return command
        case .rediSearch(let index):
            let runtime = ef.map { " EF_RUNTIME \($0)" } ?? ""
            return [bytes("FT.SEARCH"), bytes(index), bytes("*=>[KNN \(k) @vec $q\(runtime)]"), bytes("PARAMS"),
                    bytes("2"), bytes("q"), blob, bytes("NOCONTENT"), bytes("LIMIT"), bytes("0"), bytes(String(k)),
                    bytes("DIALECT"), bytes("2")]
        }
    }

    /// Base rows named in a search reply, or nil when the reply is not a result list.
    func rows(in reply: RESPValue) -> [Int]? {
        guard case .array(let elements) = reply else { return nil }
        switch self {
        case .vectorSet:
            return elements.compactMap { $0.string.flatMap { Int($0) } }
        case .rediSearch:
            // NOCONTENT replies are the total count followed by the keys.
            return elements.dropFirst().compactMap { element in
                element.string.flatMap { Int($0.dropFirst(Self.rediSearchPrefix.count)) }
            }
        }
    }

    // MARK: - Indexing

    /// Waits until every loaded document is indexed, which RediSearch's `FT.INFO`
    /// shows as `num_docs` equal to `count` and `indexing` 0. A vector set is
    /// searchable as soon as VADD returns, so it needs no wait.
    func waitUntilIndexed(over connection: BenchConnection, count: Int, timeout: Double = 7_200) throws {
        guard case .rediSearch(let index) = self else { return }
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let info = try fields(of: connection.call(["FT.INFO", index].map(bytes)))
            let documents = info["num_docs"].flatMap { Int($0) } ?? -1
            let indexing = info["indexing"] ?? "1"
            if documents == count, indexing == "0" { return }
            guard Date() < deadline else {
                throw BenchError.reply("RediSearch index '\(index)' has \(documents) of \(count) documents "
                                       + "after \(Int(timeout)) s (indexing \(indexing))")
            }
            Thread.sleep(forTimeInterval: 1)
        }
    }

    /// Returns the top-level key/value pairs of an `FT.INFO` reply as strings.
    private func fields(of reply: RESPValue) throws -> [String: String] {
        guard case .array(let elements) = reply else { throw BenchError.reply("FT.INFO: \(reply)") }
        var result: [String: String] = [:]
        for position in stride(from: 0, to: elements.count - 1, by: 2) {
            guard let name = elements[position].string else { continue }
            switch elements[position + 1] {
            case .integer(let value): result[name] = String(value)
            case let other: result[name] = other.string
            }
        }
        return result
    }

    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
}
