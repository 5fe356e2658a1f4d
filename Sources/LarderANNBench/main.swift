// Larder's side of the ANN benchmark (benchmarks/ann/run.sh): builds an
// HNSWIndex from base.fbin, then runs every query single-threaded for each ef
// and prints one JSON object per line (build, then one per ef).

import Foundation
import LarderHNSW
import LarderVector

struct Options {
    var data = "benchmarks/ann/data"
    var m = 16
    var efConstruction = 200
    var threads = ProcessInfo.processInfo.activeProcessorCount
    var efs = [10, 20, 40, 80, 120, 200, 400]
    var quantization = VectorQuantization.none
    var k = 10
    var repeats = 1

    static let usage = """
    usage: larder-ann-bench [--data DIR] [--m M] [--ef-construction EF] [--threads N]
                            [--efs 10,20,...] [--quantization none|int8|int8-rerank] [--repeat N]
    --repeat N runs each ef N times and reports the fastest (by CPU time).
    """

    init(arguments: [String]) throws {
        var iterator = arguments.makeIterator()
        while let flag = iterator.next() {
            guard let value = iterator.next() else { throw BenchError.usage("missing value after \(flag)") }
            switch flag {
            case "--data": data = value
            case "--m": m = try Self.integer(value, flag)
            case "--ef-construction": efConstruction = try Self.integer(value, flag)
            case "--threads": threads = try Self.integer(value, flag)
            case "--repeat": repeats = try Self.integer(value, flag)
            case "--efs": efs = try value.split(separator: ",").map { try Self.integer(String($0), flag) }
            case "--quantization":
                guard let mode = VectorQuantization(rawValue: value) else { throw BenchError.usage("unknown quantization \(value)") }
                quantization = mode
            default: throw BenchError.usage("unknown option \(flag)")
            }
        }
    }

    static func integer(_ text: String, _ flag: String) throws -> Int {
        guard let value = Int(text), value > 0 else { throw BenchError.usage("\(flag) needs a positive integer, got '\(text)'") }
        return value
    }
}

enum BenchError: Error, CustomStringConvertible {
    case usage(String)
    case badFile(String)

    var description: String {
        switch self {
        case let .usage(message): return "\(message)\n\(Options.usage)"
        case let .badFile(message): return message
        }
    }
}

/// Reads a big-ann-benchmarks matrix file: uint32 rows, uint32 columns, then the elements.
func readMatrix<T>(_ path: String, as: T.Type) throws -> (rows: Int, columns: Int, values: [T]) {
    guard let data = FileManager.default.contents(atPath: path), data.count >= 8 else {
        throw BenchError.badFile("cannot read \(path); run benchmarks/ann/generate_data.py first")
    }
    let header = data.withUnsafeBytes { ($0.loadUnaligned(as: UInt32.self), $0.loadUnaligned(fromByteOffset: 4, as: UInt32.self)) }
    let rows = Int(UInt32(littleEndian: header.0))
    let columns = Int(UInt32(littleEndian: header.1))
    guard data.count == 8 + rows * columns * MemoryLayout<T>.stride else {
        throw BenchError.badFile("invalid \(path): it has \(data.count) bytes but its header implies \(8 + rows * columns * MemoryLayout<T>.stride)")
    }
    let values = data.withUnsafeBytes { raw in
        Array(UnsafeBufferPointer(start: (raw.baseAddress! + 8).assumingMemoryBound(to: T.self), count: rows * columns))
    }
    return (rows, columns, values)
}

/// Resident set size of this process in bytes, from /proc/self/statm.
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
}

func now() -> Double { clockSeconds(CLOCK_MONOTONIC) }

/// CPU time of the calling thread. On a shared machine it measures the work
/// of a single-threaded search without the time spent waiting for a core.
func threadCPUTime() -> Double { clockSeconds(CLOCK_THREAD_CPUTIME_ID) }

/// CPU time of the whole process (all threads).
func processCPUTime() -> Double { clockSeconds(CLOCK_PROCESS_CPUTIME_ID) }

func clockSeconds(_ clock: clockid_t) -> Double {
    var time = timespec()
    clock_gettime(clock, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

func emit(_ object: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    FileHandle.standardOutput.write(data + Data("\n".utf8))
}

func run() throws {
    let options = try Options(arguments: Array(CommandLine.arguments.dropFirst()))
    let base = try readMatrix("\(options.data)/base.fbin", as: Float.self)
    let queries = try readMatrix("\(options.data)/queries.fbin", as: Float.self)
    let truth = try readMatrix("\(options.data)/truth.ibin", as: Int32.self)
    let dimension = base.columns
    guard queries.columns == dimension, truth.rows == queries.rows, truth.columns >= options.k else {
        throw BenchError.badFile("base, queries and truth files disagree on shape")
    }

    let items = (0..<base.rows).map { row in
        (id: String(row), vector: Array(base.values[row * dimension..<(row + 1) * dimension]))
    }
    let queryRows = (0..<queries.rows).map { Array(queries.values[$0 * dimension..<($0 + 1) * dimension]) }
    let name = options.quantization == .none ? "larder" : "larder-\(options.quantization.rawValue)"

    let configuration = HNSWConfiguration(dimension: dimension, metric: .cosine, m: options.m,
                                          efConstruction: options.efConstruction, quantization: options.quantization)
    let index = HNSWIndex(configuration: configuration)
    let residentBefore = residentBytes()
    let buildStart = now()
    let buildCPUStart = processCPUTime()
    try index.bulkInsert(items, threads: options.threads)
    let buildSeconds = now() - buildStart
    let buildCPUSeconds = processCPUTime() - buildCPUStart
    let residentDelta = residentBytes() - residentBefore
    try index.checkIntegrity()
    emit(["library": name, "kind": "build", "rows": base.rows, "dim": dimension, "m": options.m,
          "ef_construction": options.efConstruction, "threads": options.threads, "build_seconds": buildSeconds,
          "build_cpu_seconds": buildCPUSeconds, "kernels": HostKernels.current.instructionSet.rawValue,
          "index_bytes_per_vector": Double(index.statistics.memoryBytes) / Double(base.rows),
          "rss_bytes_per_vector": Double(residentDelta) / Double(base.rows)])

    for ef in options.efs {
        var results: [[SearchHit]] = []
        var statistics = SearchStatistics()
        var cpuSeconds = Double.infinity
        var seconds = Double.infinity
        // On a shared machine other jobs only ever slow a run down, so the
        // fastest of several runs is the best estimate of the search's own cost.
        for _ in 0..<options.repeats {
            results.removeAll(keepingCapacity: true)
            results.reserveCapacity(queryRows.count)
            statistics = SearchStatistics()
            let start = now()
            let cpuStart = threadCPUTime()
            for query in queryRows {
                results.append(try index.search(query, k: options.k, ef: ef, statistics: &statistics))
            }
            cpuSeconds = min(cpuSeconds, threadCPUTime() - cpuStart)
            seconds = min(seconds, now() - start)
        }
        var found = 0
        for (q, hits) in results.enumerated() {
            let expected = Set(truth.values[q * truth.columns..<q * truth.columns + options.k].map { String($0) })
            found += hits.filter { expected.contains($0.id) }.count
        }
        emit(["library": name, "kind": "search", "ef": ef, "recall": Double(found) / Double(queryRows.count * options.k),
              "qps": Double(queryRows.count) / seconds, "qps_cpu": Double(queryRows.count) / cpuSeconds,
              "distances_per_query": Double(statistics.distanceComputations) / Double(queryRows.count)])
    }
}

do {
    try run()
} catch {
    FileHandle.standardError.write(Data("larder-ann-bench: \(error)\n".utf8))
    exit(1)
}
