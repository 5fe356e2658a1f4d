import Foundation
import LarderArguments
import LarderRESP

/// `larder bench`: load and latency benchmark of a running server. Loads
/// vectors (VADD, or HSET into a RediSearch index), then runs k-nearest-neighbour
/// queries (VSIM, or FT.SEARCH KNN) over N connections at a pipeline depth,
/// closed-loop or at a fixed rate, and reports QPS, latency percentiles and
/// recall@k against exact neighbours.
enum BenchCommand: Subcommand {
    static let name = "bench"
    static let summary = "Measure load and k-NN query throughput, latency and recall against a running server."

    static var spec: CommandSpec {
        var spec = CommandSpec(name: name, summary: summary)
        spec.option("host", metavar: "HOST", help: "Server IPv4 address.", default: "127.0.0.1")
        spec.option("password", metavar: "SECRET", help: "Password sent with AUTH (or set LARDER_PASSWORD).")
        spec.option("port", metavar: "PORT", help: "Server TCP port.", default: "7379")
        spec.option("target", metavar: "KIND", help: "larder (VADD and VSIM) or redisearch (HSET and FT.SEARCH KNN "
                    + "on an HNSW index).", default: "larder")
        spec.option("key", metavar: "KEY", help: "Vector set (larder) or index name (redisearch) to fill and query; "
                    + "it is deleted first unless --skip-load.", default: "bench")
        spec.option("connections", metavar: "N", help: "Concurrent connections.", default: "32")
        spec.option("pipeline", metavar: "DEPTH", help: "Requests sent per connection before reading replies.",
                    default: "1")
        spec.option("load-pipeline", metavar: "DEPTH", help: "Pipeline depth while loading (default: --pipeline).")
        spec.option("rate", metavar: "QPS", help: "Send queries at this fixed total rate (open loop, needs "
                    + "--pipeline 1) instead of as fast as replies return.")
        spec.option("data", metavar: "DIR", help: "Read base.fbin, queries.fbin and truth.ibin (exact neighbours) "
                    + "from DIR, as written by benchmarks/ann/generate_data.py; overrides --source.")
        spec.option("count", metavar: "N", help: "Vectors to load (at most the rows of --data).", default: "100000")
        spec.option("dimension", metavar: "D", help: "Components per vector (clustered source).", default: "128")
        spec.option("requests", metavar: "N", help: "Queries to time.", default: "20000")
        spec.option("queries", metavar: "N", help: "Distinct query vectors.", default: "1000")
        spec.option("k", metavar: "K", help: "Neighbours per query (VSIM COUNT, KNN k).", default: "10")
        spec.option("ef", metavar: "EF", help: "Search candidate list size (VSIM EF, KNN EF_RUNTIME); the "
                    + "server's default when absent.")
        spec.option("m", metavar: "M", help: "HNSW M of the RediSearch index.", default: "16")
        spec.option("ef-construction", metavar: "EF", help: "HNSW EF_CONSTRUCTION of the RediSearch index.",
                    default: "200")
        spec.option("recall-queries", metavar: "N", help: "Without --data: queries whose replies are compared "
                    + "with VSIM ... TRUTH.", default: "200")
        spec.option("source", metavar: "KIND", help: "clustered (Gaussian clusters) or recipes (hashed recipe text).",
                    default: "clustered")
        spec.option("recipes", metavar: "FILE", help: "Recipes JSONL for --source recipes.")
        spec.option("seed", metavar: "N", help: "Seed of the clustered data.", default: "7")
        spec.option("jsonl", metavar: "FILE", help: "Append each phase's figures to FILE as one JSON object per line.")
        spec.option("label", metavar: "TEXT", help: "Free text stored as 'label' in the --jsonl records.")
        spec.option("server-pid", metavar: "PID", help: "Server process id; its CPU time per request is reported.")
        spec.flag("skip-load", help: "Query the existing data instead of loading it.")
        spec.flag("load-only", help: "Load (and wait for indexing), then exit without querying.")
        return spec
    }

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try spec.parse(arguments)
        let settings = try BenchSettings(parsed)
        let data = try BenchDataset.load(parsed, settings: settings)
        let runner = BenchRunner(host: settings.host, port: settings.port, connections: settings.connections,
                                 depth: settings.depth, rate: settings.rate, serverPID: settings.serverPID,
                                 password: settings.password)
        Console.out("bench: \(settings.targetName) on port \(settings.port), \(data.count) vectors of "
                    + "\(data.dimension) dimensions, \(settings.connections) connections, pipeline \(settings.depth)"
                    + (settings.rate.map { String(format: ", fixed rate %.0f QPS", $0) } ?? ""))

        if !parsed.flag("skip-load") {
            try load(data, settings: settings)
        }
        if parsed.flag("load-only") { return 0 }

        let target = settings.target
        let k = settings.k
        let ef = settings.ef
        let blobs = data.queryBlobs
        let truth = data.truth
        let request: @Sendable (Int) -> [[UInt8]] = { index in
            target.searchCommand(blob: blobs[index % blobs.count], k: k, ef: ef)
        }
        var recall: (@Sendable (Int, RESPValue) -> Double?)?
        if let truth {
            recall = { index, reply in
                guard let rows = target.rows(in: reply) else { return nil }
                return truth.recall(of: rows, query: index % blobs.count, k: k)
            }
        }
        let search = try runner.run(total: settings.requests, request: request, recall: recall)
        let verb = settings.targetName == "larder" ? "VSIM" : "FT.SEARCH KNN"
        Console.out(search.line(name: "\(verb) k=\(k)" + (ef.map { " ef=\($0)" } ?? "")))
        try settings.record(search, phase: "search")

        if truth == nil, settings.recallQueries > 0, case .vectorSet(let key) = target {
            let recall = try measureRecall(host: settings.host, port: settings.port, password: settings.password, key: key,
                                           blobs: Array(blobs.prefix(settings.recallQueries)),
                                           options: Array(target.searchCommand(blob: [], k: k, ef: ef).dropFirst(4)), k: k)
            Console.out(String(format: "recall@%d of VSIM against TRUTH over %d queries: %.4f", k,
                               min(settings.recallQueries, blobs.count), recall))
        }
        return search.errors == 0 ? 0 : 1
    }

    // MARK: - Phases

    /// Empties the target, loads every base vector and waits until it is indexed.
    private static func load(_ data: BenchDataset, settings: BenchSettings) throws {
        let control = try BenchConnection(host: settings.host, port: settings.port, password: settings.password)
        if case .error(let message) = try control.call([Array("PING".utf8)]), message.split(separator: " ").first == "NOAUTH" {
            throw BenchError.connection("the server at \(settings.host):\(settings.port) requires a password; "
                + "pass --password SECRET or set LARDER_PASSWORD")
        }
        let target = settings.target
        try target.reset(over: control, dimension: data.dimension, m: settings.m, efConstruction: settings.efConstruction)
        let loader = BenchRunner(host: settings.host, port: settings.port, connections: settings.connections,
                                 depth: settings.loadDepth, rate: nil, serverPID: settings.serverPID,
                                 password: settings.password)
        let base = data.base
        let dimension = data.dimension
        let start = Date()
        let result = try loader.run(total: data.count) { row in
            target.loadCommand(row: row, blob: fp32(base[row * dimension..<(row + 1) * dimension]))
        }
        try target.waitUntilIndexed(over: control, count: data.count)
        let verb = settings.targetName == "larder" ? "VADD" : "HSET"
        Console.out(result.line(name: verb) + String(format: "; indexed after %.1f s", Date().timeIntervalSince(start)))
        try settings.record(result, phase: "load", extra: ["indexed_seconds": Date().timeIntervalSince(start)])
        if result.errors > 0 {
            throw BenchError.reply("\(result.errors) load commands failed (first: \(result.firstErrorReply ?? ""))")
        }
    }

    /// Mean fraction of the exact top k (VSIM ... TRUTH) that the default VSIM returns.
    private static func measureRecall(host: String, port: Int, password: String?, key: String, blobs: [[UInt8]],
                                      options: [[UInt8]], k: Int) throws -> Double {
        let connection = try BenchConnection(host: host, port: port, password: password)
        var total = 0.0
        for blob in blobs {
            let query = [Array("VSIM".utf8), Array(key.utf8), Array("FP32".utf8), blob] + options
            let approximate = try names(connection.call(query))
            let exact = try names(connection.call(query + [Array("TRUTH".utf8)]))
            total += Double(Set(approximate).intersection(exact).count) / Double(max(1, min(k, exact.count)))
        }
        return total / Double(max(1, blobs.count))
    }

    private static func names(_ reply: RESPValue) throws -> [String] {
        guard case .array(let elements) = reply else { throw BenchError.reply("\(reply)") }
        return elements.compactMap(\.string)
    }

    /// Encodes components as little-endian float32, the FP32 blob of VADD and VSIM.
    static func fp32<Components: Collection<Float>>(_ vector: Components) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(vector.count * 4)
        for value in vector {
            let bits = value.bitPattern
            bytes += [UInt8(bits & 0xff), UInt8(bits >> 8 & 0xff), UInt8(bits >> 16 & 0xff), UInt8(bits >> 24)]
        }
        return bytes
    }
}
