import Foundation
import LarderArguments
import LarderStorage
import LarderVector

/// `larder import-vectors`: builds a collection offline from a file of float32
/// vectors, straight into a data directory that `larder serve --dir` opens.
///
/// Loading a million vectors with VADD links them one at a time over the
/// network and writes every one to the WAL. This command instead links them
/// with the parallel HNSW bulk build and writes the graph as one segment, so
/// the server starts with the index ready and replays no log.
enum ImportVectorsCommand: Subcommand {
    static let name = "import-vectors"
    static let summary = "Build a vector set offline from a .fbin, .fvecs, .npy or raw float32 file."

    static var spec: CommandSpec {
        var spec = CommandSpec(name: name, summary: summary, positionalName: "FILE")
        spec.option("dir", metavar: "DIR", help: "Data directory to add the vector set to (as for larder serve --dir).")
        spec.option("key", metavar: "KEY", help: "Name of the new vector set.", default: "vectors")
        spec.option("format", metavar: "FORMAT", help: "fbin, fvecs, npy, raw (float32 only), or auto (by file "
                    + "extension: .fbin, .fvecs, .npy, .f32 or .raw).", default: "auto")
        spec.option("dimension", metavar: "D", help: "Components per vector; required for raw files, checked for others.")
        spec.option("limit", metavar: "N", help: "Import only the first N rows.")
        spec.option("id-prefix", metavar: "TEXT",
                    help: "Element ids are this prefix followed by the row number (default: no prefix, ids 0, 1, ...).")
        spec.option("quantization", metavar: "MODE", help: "Vector encoding: q8 (int8, the VADD default), q8rerank (int8 "
                    + "traversal, exact fp32 re-rank) or noquant.",
                    default: "q8")
        spec.option("m", metavar: "M", help: "HNSW links per node (layer 0 has twice as many).", default: "16")
        spec.option("ef-construction", metavar: "EF", help: "HNSW candidate list size while building.", default: "200")
        spec.option("threads", metavar: "N", help: "Threads that build the graph (default: one per core).")
        spec.flag("replace", help: "Drop a vector set of the same name first instead of failing.")
        return spec
    }

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try spec.parse(arguments)
        guard let directory = parsed.string("dir") else {
            throw ArgumentError.missingRequired("dir", hint: "give the data directory that 'larder serve --dir' will open")
        }
        guard parsed.positionals.count == 1 else {
            throw ArgumentError.missingArgument("vector FILE: give exactly one .fvecs, .fbin, .npy or raw float32 file")
        }
        let file = URL(fileURLWithPath: parsed.positionals[0])
        let key = parsed.string("key")!
        let format = try resolveFormat(parsed, file: file)
        let dimension = try parsed.integer("dimension", in: 1...65_536)
        let limit = try parsed.integer("limit", in: 1...Int.max)
        let prefix = parsed.string("id-prefix") ?? ""
        let modes: [String: VectorQuantization] = ["q8": .int8, "q8rerank": .int8Rerank, "noquant": .none]
        let mode = parsed.string("quantization")!
        guard let quantization = modes[mode.lowercased()] else {
            throw ArgumentError.invalidValue(option: "quantization", value: mode, expected: "one of q8, q8rerank, noquant")
        }
        // The same range as VADD's M option, so a set built here could also have been built by the server.
        let m = try parsed.integer("m", in: 4...512)!
        let efConstruction = try parsed.integer("ef-construction", in: 1...(1 << 20))!
        let threads = try parsed.integer("threads", in: 1...1024) ?? ProcessInfo.processInfo.activeProcessorCount

        let start = Date()
        let vectors = try VectorFile.read(file, format: format, dimension: dimension)
        let rows = min(vectors.rows, limit ?? vectors.rows)
        Console.err("larder import-vectors: read \(vectors.rows) vectors of \(vectors.dimension) components from "
                    + "\(file.lastPathComponent) in \(seconds(since: start)) s; importing \(rows) as '\(key)'")

        let store = try Store(directory: URL(fileURLWithPath: directory))
        defer { try? store.close() }
        if store.collection(named: key) != nil {
            guard parsed.flag("replace") else {
                throw ArgumentError.invalidValue(option: "key", value: key,
                                                 expected: "a new collection name; '\(key)' already exists in \(directory) "
                                                     + "(pass --replace to rebuild it)")
            }
            try store.dropCollection(named: key)
        }
        let options = CollectionOptions(dimension: vectors.dimension, metric: .cosine, quantization: quantization,
                                        m: m, efConstruction: efConstruction)
        let progress = ProgressReporter(label: "linking", total: rows)
        var reported = 0
        let buildStart = Date()
        let collection: LarderStorage.Collection
        do {
            collection = try store.importCollection(
                named: key, options: options, ids: (0..<rows).map { prefix + String($0) },
                vectors: rows == vectors.rows ? vectors.values : Array(vectors.values.prefix(rows * vectors.dimension)),
                threads: threads,
                progress: { linked in
                    progress.advance(by: linked - reported)
                    reported = linked
                })
        } catch let error as StorageError {
            guard case .invalidElement = error else { throw error }
            throw VectorFileError.invalid(path: file.path, reason: "\(error)")
        }
        progress.finish()
        Console.err("larder import-vectors: '\(key)' contains \(collection.count) vectors (\(mode.lowercased()), M \(m), "
                    + "efConstruction \(efConstruction)) in \(directory); graph built and written in "
                    + "\(seconds(since: buildStart)) s with \(threads) threads")
        return 0
    }

    private static func resolveFormat(_ parsed: ParsedArguments, file: URL) throws -> VectorFile.Format {
        let name = try parsed.choice("format", from: ["auto"] + VectorFile.Format.allCases.map(\.rawValue))!
        if name != "auto" { return VectorFile.Format(rawValue: name)! }
        guard let format = VectorFile.Format(pathExtension: file.pathExtension) else {
            throw ArgumentError.invalidValue(option: "format", value: "auto",
                                             expected: "an explicit --format for '\(file.lastPathComponent)' "
                                                 + "(its extension is not .fbin, .fvecs, .npy, .f32 or .raw)")
        }
        return format
    }

    private static func seconds(since start: Date) -> String {
        String(format: "%.1f", Date().timeIntervalSince(start))
    }
}
