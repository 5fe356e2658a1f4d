import Foundation
import LarderArguments

/// The checked options of one `larder bench` run.
struct BenchSettings {
    let host: String
    let port: Int
    /// Password for AUTH (`--password` or `LARDER_PASSWORD`), or nil.
    let password: String?
    let targetName: String
    let target: BenchTarget
    let connections: Int
    let depth: Int
    let loadDepth: Int
    let rate: Double?
    let requests: Int
    let k: Int
    let ef: Int?
    let m: Int
    let efConstruction: Int
    let recallQueries: Int
    let jsonl: String?
    let label: String?
    /// Process whose CPU time is sampled around each phase (the server), if given.
    let serverPID: Int?

    init(_ parsed: ParsedArguments) throws {
        host = parsed.string("host")!
        port = try parsed.integer("port", in: 1...65535)!
        password = parsed.string("password") ?? ProcessInfo.processInfo.environment["LARDER_PASSWORD"]
        targetName = try parsed.choice("target", from: ["larder", "redisearch"])!
        let key = parsed.string("key")!
        target = targetName == "larder" ? .vectorSet(key: key) : .rediSearch(index: key)
        connections = try parsed.integer("connections", in: 1...4096)!
        depth = try parsed.integer("pipeline", in: 1...10_000)!
        loadDepth = try parsed.integer("load-pipeline", in: 1...10_000) ?? depth
        rate = try parsed.double("rate")
        if let rate {
            guard rate > 0, rate.isFinite else {
                throw ArgumentError.invalidValue(option: "rate", value: "\(rate)", expected: "a positive number of queries per second")
            }
            guard depth == 1 else {
                throw ArgumentError.invalidValue(option: "pipeline", value: "\(depth)",
                                                 expected: "1 together with --rate (each request has its own due time)")
            }
        }
        requests = try parsed.integer("requests", in: 1...100_000_000)!
        k = try parsed.integer("k", in: 1...10_000)!
        ef = try parsed.integer("ef", in: 1...1_000_000)
        m = try parsed.integer("m", in: 2...1024)!
        efConstruction = try parsed.integer("ef-construction", in: 1...1_000_000)!
        recallQueries = try parsed.integer("recall-queries", in: 0...100_000)!
        jsonl = parsed.string("jsonl")
        label = parsed.string("label")
        serverPID = try parsed.integer("server-pid", in: 1...Int(Int32.max))
        if let serverPID, ProcessCPUTime.seconds(pid: serverPID) == nil {
            throw ArgumentError.invalidValue(option: "server-pid", value: "\(serverPID)",
                                             expected: "the id of a running process (readable in /proc)")
        }
    }

    /// Appends `result` to the `--jsonl` file, if one was given, with the run's settings.
    func record(_ result: BenchResult, phase: String, extra: [String: Any] = [:]) throws {
        guard let jsonl else { return }
        var labels: [String: Any] = ["target": targetName, "phase": phase, "connections": connections,
                                     "pipeline": phase == "load" ? loadDepth : depth, "k": k]
        if let load = ProcessCPUTime.loadAverage() { labels["load_average"] = load }
        if let cpu = result.serverCPUSeconds { labels["server_cpu_ms_per_request"] = cpu * 1000 / Double(max(1, result.latencies.count)) }
        if let ef { labels["ef"] = ef }
        if let rate, phase == "search" { labels["rate"] = rate }
        if let label { labels["label"] = label }
        labels.merge(extra) { _, new in new }
        let line = try result.json(labels: labels) + "\n"
        if !FileManager.default.fileExists(atPath: jsonl) {
            _ = FileManager.default.createFile(atPath: jsonl, contents: nil)
        }
        guard let handle = FileHandle(forWritingAtPath: jsonl) else {
            throw BenchError.connection("cannot open --jsonl file '\(jsonl)' for writing; check the path")
        }
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(line.utf8))
    }
}

/// Base vectors, query vectors and (from `--data`) the exact neighbours of each query.
struct BenchDataset {
    /// Row-major base vectors.
    let base: [Float]
    let count: Int
    let dimension: Int
    /// Queries encoded as FP32 blobs.
    let queryBlobs: [[UInt8]]
    let truth: BenchTruth?

    /// Reads `--data`, or generates `--source` vectors.
    static func load(_ parsed: ParsedArguments, settings: BenchSettings) throws -> BenchDataset {
        let count = try parsed.integer("count", in: 1...100_000_000)!
        let queryCount = try parsed.integer("queries", in: 1...1_000_000)!
        if let directory = parsed.string("data") {
            let folder = URL(fileURLWithPath: directory)
            let base = try VectorFile.read(folder.appendingPathComponent("base.fbin"), format: .fbin)
            let queries = try VectorFile.read(folder.appendingPathComponent("queries.fbin"), format: .fbin,
                                              dimension: base.dimension)
            let truth = try BenchTruth(file: folder.appendingPathComponent("truth.ibin"), queries: queries.rows,
                                       k: settings.k)
            guard count >= base.rows || parsed.flag("skip-load") else {
                // The exact neighbours were computed over every base row.
                throw ArgumentError.invalidValue(option: "count", value: "\(count)",
                                                 expected: "at least the \(base.rows) rows of \(directory)/base.fbin, "
                                                     + "because truth.ibin covers all of them")
            }
            let rows = min(queryCount, queries.rows)
            return BenchDataset(base: base.values, count: base.rows, dimension: base.dimension,
                                queryBlobs: (0..<rows).map { BenchCommand.fp32(queries.row($0)) }, truth: truth)
        }

        let dimension = try parsed.integer("dimension", in: 2...65_536)!
        let data: (base: [[Float]], queries: [[Float]])
        switch try parsed.choice("source", from: ["clustered", "recipes"])! {
        case "recipes":
            guard let file = parsed.string("recipes") else { throw ArgumentError.missingRequired("recipes") }
            data = try BenchVectors.recipes(file: URL(fileURLWithPath: file), count: count, queries: queryCount,
                                            dimension: dimension)
        default:
            data = BenchVectors.clustered(count: count, queries: queryCount, dimension: dimension,
                                          seed: UInt64(try parsed.integer("seed", in: 0...Int.max)!))
        }
        return BenchDataset(base: data.base.flatMap { $0 }, count: data.base.count, dimension: data.base[0].count,
                            queryBlobs: data.queries.map { BenchCommand.fp32($0) }, truth: nil)
    }
}

/// Exact neighbour rows of each query, for recall@k.
struct BenchTruth: Sendable {
    private let rows: [Int32]
    private let columns: Int

    /// Reads a `.ibin` file with at least `k` columns and one row per query.
    init(file: URL, queries: Int, k: Int) throws {
        let matrix = try VectorFile.readNeighborIDs(file)
        guard matrix.rows >= queries, matrix.columns >= k else {
            throw VectorFileError.invalid(path: file.path, reason: "it contains \(matrix.rows) rows of \(matrix.columns) "
                                          + "neighbours but the run needs \(queries) rows of at least k = \(k)")
        }
        rows = matrix.values
        columns = matrix.columns
    }

    /// Fraction of the exact top `k` of `query` found in `found`.
    func recall(of found: [Int], query: Int, k: Int) -> Double {
        let exact = Set(rows[query * columns..<query * columns + k].map(Int.init))
        return Double(Set(found.prefix(k)).intersection(exact).count) / Double(k)
    }
}

/// CPU time of a process and the system load, read from procfs (Linux).
enum ProcessCPUTime {
    /// User plus system CPU seconds that process `pid` has used, or nil when it cannot be read.
    static func seconds(pid: Int) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        // Fields after the parenthesized command name; utime and stime are fields 14 and 15 of the whole line.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Returns the one-minute load average.
    static func loadAverage() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return nil }
        return text.split(separator: " ").first.flatMap { Double($0) }
    }
}
