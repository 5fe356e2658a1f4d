// Storage benchmark: bytes on disk per element by block kind, opening a
// collection from its segment against rebuilding its graph, and ingest
// throughput under each fsync policy. Prints Markdown tables for
// docs/benchmarks.md.
//
// Run: swift run -c release LarderStorageBenchmark --count 20000 --dimension 128
//
// Vectors are synthetic (the shared data has recipe text but no embeddings):
// a mixture of 64 Gaussian clusters, which the benchmark states in its output.
// Attributes are the real recipe documents, one JSON line per element.

import Foundation
import LarderArguments
import LarderHNSW
import LarderStorage
import LarderVector

// MARK: - Options

var spec = CommandSpec(name: "storage-benchmark", summary: "Measure LarderStorage sizes, open time and ingest throughput.")
spec.option("count", metavar: "N", help: "Elements in the size and open benchmarks.", default: "20000")
spec.option("dimension", metavar: "D", help: "Vector dimension.", default: "128")
spec.option("ingest", metavar: "N", help: "Elements written per fsync policy in the ingest benchmark.", default: "2000")
spec.option("writers", metavar: "N", help: "Concurrent writer threads in the second ingest run.", default: "4")
spec.option("m", metavar: "M", help: "HNSW links per node.", default: "16")
spec.option("ef-construction", metavar: "EF", help: "HNSW build candidate list size.", default: "200")
spec.option("recipes", metavar: "PATH", help: "JSON lines used as attributes.", default: "../shared/data/recipes.jsonl")
spec.option("directory", metavar: "PATH", help: "Scratch directory (removed afterwards).", default: NSTemporaryDirectory() + "larder-storage-benchmark")

let parsed: ParsedArguments
do {
    parsed = try spec.parse(Array(CommandLine.arguments.dropFirst()))
} catch ArgumentError.helpRequested {
    print(spec.helpText)
    exit(0)
} catch {
    FileHandle.standardError.write(Data("\(error)\n\n\(spec.helpText)\n".utf8))
    exit(2)
}

let count = try parsed.integer("count", in: 1...100_000_000)!
let dimension = try parsed.integer("dimension", in: 1...65_536)!
let ingestCount = try parsed.integer("ingest", in: 1...10_000_000)!
let writers = try parsed.integer("writers", in: 1...256)!
let m = try parsed.integer("m", in: 2...1024)!
let efConstruction = try parsed.integer("ef-construction", in: 1...100_000)!
let scratch = URL(fileURLWithPath: parsed.string("directory")!)

// MARK: - Data

func loadAttributes(path: String, count: Int) -> [String] {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        FileHandle.standardError.write(Data("cannot read \(path); pass --recipes PATH\n".utf8))
        exit(1)
    }
    var lines: [String] = []
    text.enumerateLines { line, stop in
        lines.append(line)
        if lines.count >= count { stop = true }
    }
    return (0..<count).map { lines[$0 % lines.count] }
}

/// SplitMix64, so every run measures the same vectors.
struct Generator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Gaussian noise (Box-Muller) around one of 64 random cluster centres.
func clusteredVectors(count: Int, dimension: Int, seed: UInt64) -> [[Float]] {
    var generator = Generator(state: seed)
    func gaussian() -> Float {
        let u = Double.random(in: Double.ulpOfOne..<1, using: &generator)
        let v = Double.random(in: 0..<1, using: &generator)
        return Float((-2 * log(u)).squareRoot() * cos(2 * .pi * v))
    }
    let centres = (0..<64).map { _ in (0..<dimension).map { _ in gaussian() } }
    return (0..<count).map { _ in
        let centre = centres[Int.random(in: 0..<64, using: &generator)]
        return centre.map { $0 + 0.35 * gaussian() }
    }
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func fresh(_ url: URL) -> URL {
    try? FileManager.default.removeItem(at: url)
    return url
}

let attributes = loadAttributes(path: parsed.string("recipes")!, count: count)
let vectors = clusteredVectors(count: count, dimension: dimension, seed: 42)
let manual = StoreOptions(fsync: .no, memtableLimit: Int.max, automaticMaintenance: false)
defer { try? FileManager.default.removeItem(at: scratch) }

print("## Storage benchmark\n")
print("count \(count), dimension \(dimension), m \(m), efConstruction \(efConstruction), metric cosine; vectors: 64 Gaussian clusters (synthetic); attributes: recipe JSON lines\n")

// MARK: - Bytes per element and open against rebuild

let rawAttributeBytes = attributes.reduce(0) { $0 + $1.utf8.count }
for quantization in [VectorQuantization.none, .int8] {
    let directory = fresh(scratch.appendingPathComponent("size-\(quantization.rawValue)"))
    let options = CollectionOptions(dimension: dimension, metric: .cosine, quantization: quantization, m: m,
                                    efConstruction: efConstruction)
    var store = try Store(directory: directory, options: manual)
    let collection = try store.createCollection(named: "bench", options: options)
    let build = try seconds {
        for i in 0..<count { try collection.add(id: "recipe-\(i)", vector: vectors[i], attributes: attributes[i]) }
    }
    let seal = try seconds { try collection.checkpoint() }
    let sizes = try collection.segmentBlockSizes()
    // A plain adjacency list would store each link as a 4-byte node number.
    var links = 0
    for i in 0..<count { links += collection.links(id: "recipe-\(i)")?.reduce(0) { $0 + $1.count } ?? 0 }
    try store.close()

    print("### Quantization \(quantization.rawValue)\n")
    print("| block | encoded B/element | on disk B/element | raw B/element |")
    print("|---|---:|---:|---:|")
    for size in sizes {
        let raw: String
        switch size.kind {
        case "vectors": raw = "\(4 * dimension)"
        case "attributes": raw = String(format: "%.1f", Double(rawAttributeBytes) / Double(count))
        case "graph": raw = String(format: "%.1f", Double(4 * links) / Double(count))
        default: raw = "-"
        }
        print("| \(size.kind) | \(String(format: "%.1f", Double(size.uncompressedBytes) / Double(count))) | \(String(format: "%.1f", Double(size.storedBytes) / Double(count))) | \(raw) |")
    }
    let total = sizes.reduce(0) { $0 + $1.storedBytes }
    print("| total | | \(String(format: "%.1f", Double(total) / Double(count))) | |\n")

    // Open: recover the store (reads the segment, verifies checksums, loads the graph).
    var opened = 0
    let open = try seconds {
        store = try Store(directory: directory, options: manual)
        opened = store.collection(named: "bench")?.count ?? 0
    }
    precondition(opened == count, "reopened collection has \(opened) elements, expected \(count)")
    try store.close()
    // Rebuild: insert the same vectors into a new graph, as a store without segment graphs would.
    let index = HNSWIndex(configuration: HNSWConfiguration(dimension: dimension, metric: .cosine, m: m,
                                                           efConstruction: efConstruction, quantization: quantization))
    let rebuild = try seconds {
        for i in 0..<count { try index.upsert(id: "recipe-\(i)", vector: vectors[i]) }
    }
    print("| measure | seconds |")
    print("|---|---:|")
    print("| ingest into memtable (WAL, fsync no) | \(String(format: "%.2f", build)) |")
    print("| seal to segment | \(String(format: "%.2f", seal)) |")
    print("| open store (load segment graph) | \(String(format: "%.3f", open)) |")
    print("| rebuild graph from vectors | \(String(format: "%.2f", rebuild)) |")
    print("| rebuild / open | \(String(format: "%.1fx", rebuild / open)) |\n")
}

// MARK: - Ingest throughput per fsync policy

print("### Ingest throughput (quantization int8, \(ingestCount) elements per run)\n")
print("| fsync | writers | elements/s |")
print("|---|---:|---:|")
for policy in FsyncPolicy.allCases {
    for threads in Set([1, writers]).sorted() {
        let directory = fresh(scratch.appendingPathComponent("ingest-\(policy.rawValue)-\(threads)"))
        let store = try Store(directory: directory, options: StoreOptions(fsync: policy, memtableLimit: Int.max,
                                                                          automaticMaintenance: false))
        let collection = try store.createCollection(named: "ingest", options: CollectionOptions(
            dimension: dimension, metric: .cosine, quantization: .int8, m: m, efConstruction: efConstruction))
        let perThread = ingestCount / threads
        let elapsed = seconds {
            DispatchQueue.concurrentPerform(iterations: threads) { thread in
                for i in 0..<perThread {
                    let item = (thread * perThread + i) % count
                    do {
                        try collection.add(id: "t\(thread)-\(i)", vector: vectors[item], attributes: attributes[item])
                    } catch {
                        FileHandle.standardError.write(Data("write failed: \(error)\n".utf8))
                        exit(1)
                    }
                }
            }
        }
        try store.close()
        print("| \(policy.rawValue) | \(threads) | \(String(format: "%.0f", Double(perThread * threads) / elapsed)) |")
    }
}
