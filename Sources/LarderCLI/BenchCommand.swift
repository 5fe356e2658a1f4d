import Foundation
import LarderArguments
import LarderRESP

/// `larder bench`: load and latency benchmark of a running server. Loads
/// vectors with VADD over N connections at a pipeline depth, then runs VSIM
/// the same way, and reports QPS, latency percentiles and recall@k of VSIM
/// against exact search (VSIM ... TRUTH).
enum BenchCommand: Subcommand {
    static let name = "bench"
    static let summary = "Measure VADD and VSIM throughput, latency and recall against a running server."

    static var spec: CommandSpec {
        var spec = CommandSpec(name: name, summary: summary)
        spec.option("host", metavar: "ADDR", help: "Server IPv4 address.", default: "127.0.0.1")
        spec.option("port", metavar: "PORT", help: "Server TCP port.", default: "7379")
        spec.option("key", metavar: "KEY", help: "Vector set to fill and query (deleted first unless --skip-load).",
                    default: "bench")
        spec.option("connections", metavar: "N", help: "Concurrent connections.", default: "32")
        spec.option("pipeline", metavar: "DEPTH", help: "Requests sent per connection before reading replies.",
                    default: "1")
        spec.option("count", metavar: "N", help: "Vectors to load.", default: "100000")
        spec.option("dimension", metavar: "D", help: "Components per vector (clustered source).", default: "128")
        spec.option("requests", metavar: "N", help: "VSIM requests to time.", default: "20000")
        spec.option("queries", metavar: "N", help: "Distinct query vectors.", default: "1000")
        spec.option("k", metavar: "K", help: "COUNT of every VSIM.", default: "10")
        spec.option("ef", metavar: "EF", help: "EF of every VSIM (the server's default when absent).")
        spec.option("recall-queries", metavar: "N", help: "Queries whose replies are compared with TRUTH.",
                    default: "200")
        spec.option("source", metavar: "KIND", help: "clustered (Gaussian clusters) or recipes (hashed recipe text).",
                    default: "clustered")
        spec.option("recipes", metavar: "FILE", help: "Recipes JSONL for --source recipes.")
        spec.option("seed", metavar: "N", help: "Seed of the clustered data.", default: "7")
        spec.flag("skip-load", help: "Query the existing set instead of loading it.")
        return spec
    }

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try spec.parse(arguments)
        let host = parsed.string("host")!
        let port = try parsed.integer("port", in: 1...65535)!
        let key = parsed.string("key")!
        let connections = try parsed.integer("connections", in: 1...4096)!
        let depth = try parsed.integer("pipeline", in: 1...10_000)!
        let count = try parsed.integer("count", in: 1...100_000_000)!
        let requests = try parsed.integer("requests", in: 1...100_000_000)!
        let queryCount = try parsed.integer("queries", in: 1...1_000_000)!
        let k = try parsed.integer("k", in: 1...10_000)!
        let ef = try parsed.integer("ef", in: 1...1_000_000)
        let recallQueries = try parsed.integer("recall-queries", in: 0...100_000)!

        let data: (base: [[Float]], queries: [[Float]])
        switch try parsed.choice("source", from: ["clustered", "recipes"])! {
        case "recipes":
            guard let file = parsed.string("recipes") else { throw ArgumentError.missingRequired("recipes") }
            data = try BenchVectors.recipes(file: URL(fileURLWithPath: file), count: count, queries: queryCount,
                                            dimension: try parsed.integer("dimension", in: 2...65_536)!)
        default:
            data = BenchVectors.clustered(count: count, queries: queryCount,
                                          dimension: try parsed.integer("dimension", in: 2...65_536)!,
                                          seed: UInt64(try parsed.integer("seed", in: 0...Int.max)!))
        }
        let blobs = data.queries.map(fp32)
        Console.out("bench: \(data.base.count) vectors of \(data.base[0].count) dimensions, \(connections) connections, "
            + "pipeline \(depth)")

        if !parsed.flag("skip-load") {
            _ = try BenchConnection(host: host, port: port).call([Array("DEL".utf8), Array(key.utf8)])
            let base = data.base
            let load = try measure(host: host, port: port, connections: connections, depth: depth, total: base.count) { index in
                [Array("VADD".utf8), Array(key.utf8), Array("FP32".utf8), fp32(base[index]), Array("e\(index)".utf8)]
            }
            Console.out(load.line(name: "VADD"))
        }

        var options: [[UInt8]] = [Array("COUNT".utf8), Array("\(k)".utf8)]
        if let ef { options += [Array("EF".utf8), Array("\(ef)".utf8)] }
        let queryOptions = options
        let search = try measure(host: host, port: port, connections: connections, depth: depth, total: requests) { index in
            [Array("VSIM".utf8), Array(key.utf8), Array("FP32".utf8), blobs[index % blobs.count]] + queryOptions
        }
        Console.out(search.line(name: "VSIM k=\(k)" + (ef.map { " ef=\($0)" } ?? "")))

        if recallQueries > 0 {
            let recall = try measureRecall(host: host, port: port, key: key, blobs: Array(blobs.prefix(recallQueries)),
                                           options: queryOptions, k: k)
            Console.out(String(format: "recall@%d of VSIM against TRUTH over %d queries: %.4f", k,
                               min(recallQueries, blobs.count), recall))
        }
        return 0
    }

    // MARK: - Phases

    /// Sends `total` requests built by `request(index)` over the connections and collects every latency.
    private static func measure(host: String, port: Int, connections: Int, depth: Int, total: Int,
                                request: @escaping @Sendable (Int) -> [[UInt8]]) throws -> BenchResult {
        let latencies = LatencyCollector()
        let group = DispatchGroup()
        let start = Date()
        for connectionIndex in 0..<connections {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                do {
                    let connection = try BenchConnection(host: host, port: port)
                    var next = connectionIndex * depth
                    while next < total {
                        var encoded: [UInt8] = []
                        let batch = Array(next..<min(next + depth, total))
                        for index in batch { RESPEncoder.encodeCommand(request(index), into: &encoded) }
                        let replies = try connection.roundTrip(encoded, count: batch.count)
                        latencies.add(replies)
                        next += connections * depth
                    }
                } catch {
                    latencies.fail(error)
                }
            }
        }
        group.wait()
        if let error = latencies.firstError { throw error }
        return BenchResult(seconds: Date().timeIntervalSince(start), latencies: latencies.sorted,
                           errors: latencies.errorReplies, firstErrorReply: latencies.firstErrorReply)
    }

    /// Mean fraction of the exact top k (VSIM ... TRUTH) that the default VSIM returns.
    private static func measureRecall(host: String, port: Int, key: String, blobs: [[UInt8]], options: [[UInt8]],
                                      k: Int) throws -> Double {
        let connection = try BenchConnection(host: host, port: port)
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

    private static func fp32(_ vector: [Float]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(vector.count * 4)
        for value in vector {
            let bits = value.bitPattern
            bytes += [UInt8(bits & 0xff), UInt8(bits >> 8 & 0xff), UInt8(bits >> 16 & 0xff), UInt8(bits >> 24)]
        }
        return bytes
    }
}

/// Latencies and errors gathered from every benchmark thread.
final class LatencyCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Double] = []
    private(set) var errorReplies = 0
    private(set) var firstErrorReply: String?
    private(set) var firstError: Error?

    func add(_ replies: [(reply: RESPValue, seconds: Double)]) {
        lock.withLock {
            for (reply, seconds) in replies {
                values.append(seconds)
                if case .error(let message) = reply {
                    errorReplies += 1
                    if firstErrorReply == nil { firstErrorReply = message }
                }
            }
        }
    }

    func fail(_ error: Error) { lock.withLock { if firstError == nil { firstError = error } } }

    var sorted: [Double] { lock.withLock { values.sorted() } }
}

/// Throughput and latency percentiles of one phase.
struct BenchResult {
    let seconds: Double
    let latencies: [Double]
    let errors: Int
    let firstErrorReply: String?

    func percentile(_ fraction: Double) -> Double {
        guard !latencies.isEmpty else { return 0 }
        let index = min(latencies.count - 1, Int((Double(latencies.count) * fraction).rounded(.up)) - 1)
        return latencies[max(0, index)] * 1000
    }

    func line(name: String) -> String {
        var text = name + String(format: ": %d requests in %.2f s, %.0f QPS, latency ms p50 %.3f p95 %.3f p99 %.3f p99.9 %.3f",
                                 latencies.count, seconds, Double(latencies.count) / seconds,
                          percentile(0.5), percentile(0.95), percentile(0.99), percentile(0.999))
        if errors > 0 { text += ", \(errors) error replies (first: \(firstErrorReply ?? ""))" }
        return text
    }
}
