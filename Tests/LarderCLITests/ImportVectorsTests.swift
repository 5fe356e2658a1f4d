import Foundation
import LarderClient
import LarderRESP
import LarderTestSupport
import XCTest

/// `larder import-vectors` builds a collection offline that `larder serve`
/// opens and searches; `larder bench --data` measures it.
final class ImportVectorsTests: XCTestCase {
    private static let dimension = 16
    private static let rows = 3_000

    // MARK: - Fixtures

    /// Seeded vectors around 30 cluster centres, row-major.
    private func clusteredVectors(rows: Int = rows, seed: UInt64 = 11) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        func gaussian() -> Float {
            let u1 = max(Double(generator.next() >> 11) / Double(1 << 53), 1e-12)
            let u2 = Double(generator.next() >> 11) / Double(1 << 53)
            return Float((-2 * log(u1)).squareRoot() * cos(2 * .pi * u2))
        }
        let centres = (0..<30).map { _ in (0..<Self.dimension).map { _ in gaussian() } }
        var values: [Float] = []
        for _ in 0..<rows {
            let centre = centres[Int(generator.next() % 30)]
            values += centre.map { $0 + 0.5 * gaussian() }
        }
        return values
    }

    private func littleEndian(_ values: [Float]) -> [UInt8] {
        values.flatMap { value -> [UInt8] in
            let bits = value.bitPattern
            return [UInt8(bits & 0xff), UInt8(bits >> 8 & 0xff), UInt8(bits >> 16 & 0xff), UInt8(bits >> 24)]
        }
    }

    private func uint32(_ value: Int) -> [UInt8] {
        (0..<4).map { UInt8((value >> (8 * $0)) & 0xff) }
    }

    private func fbin(_ values: [Float], dimension: Int = dimension) -> [UInt8] {
        uint32(values.count / dimension) + uint32(dimension) + littleEndian(values)
    }

    private func fvecs(_ values: [Float], dimension: Int = dimension) -> [UInt8] {
        stride(from: 0, to: values.count, by: dimension).flatMap {
            uint32(dimension) + littleEndian(Array(values[$0..<$0 + dimension]))
        }
    }

    private func npy(_ values: [Float], dimension: Int = dimension, descr: String = "<f4") -> [UInt8] {
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': (\(values.count / dimension), \(dimension)), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        let length = header.utf8.count
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xff), UInt8(length >> 8)] + Array(header.utf8)
            + littleEndian(values)
    }

    private func write(_ bytes: [UInt8], to url: URL) throws {
        try Data(bytes).write(to: url)
    }

    /// Returns the ids of the `k` rows with the highest cosine similarity to `query`.
    private func exactNeighbours(of query: [Float], in values: [Float], k: Int) -> [String] {
        func unit(_ vector: ArraySlice<Float>) -> [Float] {
            let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return vector.map { $0 / norm }
        }
        let target = unit(query[...])
        let scores = stride(from: 0, to: values.count, by: Self.dimension).map { start -> Float in
            zip(unit(values[start..<start + Self.dimension]), target).reduce(0) { $0 + $1.0 * $1.1 }
        }
        return scores.indices.sorted { scores[$0] > scores[$1] }.prefix(k).map(String.init)
    }

    private func names(_ reply: RESPValue) -> [String] {
        guard case .array(let items) = reply else { return [] }
        return items.compactMap(\.string)
    }

    // MARK: - Import and serve

    func testImportedCollectionAnswersVSIM() throws {
        let work = try TemporaryDirectory()
        let values = clusteredVectors()
        let file = work.url.appendingPathComponent("base.fbin")
        try write(fbin(values), to: file)
        let database = work.url.appendingPathComponent("db").path

        let imported = try LarderExecutable.run(["import-vectors", file.path, "--dir", database, "--key", "vecs",
                                                 "--quantization", "noquant", "--threads", "2"])
        XCTAssertEqual(imported.status, 0, imported.errors)
        XCTAssertTrue(imported.errors.contains("'vecs' contains \(Self.rows) vectors (noquant, M 16"), imported.errors)

        let server = try LarderServerProcess(arguments: ["--dir", database, "--no-model"])
        let client = try RESPConnection(host: "127.0.0.1", port: server.port)
        XCTAssertEqual(try client.command(["VCARD", "vecs"]), .integer(Int64(Self.rows)))
        XCTAssertEqual(try client.command(["VDIM", "vecs"]), .integer(Int64(Self.dimension)))

        var recallSum = 0.0
        let queries = 25
        for query in 0..<queries {
            let row = query * 97
            let vector = Array(values[row * Self.dimension..<(row + 1) * Self.dimension])
            let blob = littleEndian(vector)
            let exact = exactNeighbours(of: vector, in: values, k: 10)
            let approximate = names(try client.command(bytes: [Array("VSIM".utf8), Array("vecs".utf8), Array("FP32".utf8),
                                                               blob, Array("COUNT".utf8), Array("10".utf8)]))
            XCTAssertEqual(approximate.first, String(row), "a stored vector is its own nearest neighbour")
            let truth = names(try client.command(bytes: [Array("VSIM".utf8), Array("vecs".utf8), Array("FP32".utf8), blob,
                                                         Array("COUNT".utf8), Array("10".utf8), Array("TRUTH".utf8)]))
            XCTAssertEqual(Set(truth), Set(exact), "TRUTH scans the imported vectors")
            recallSum += Double(Set(approximate).intersection(exact).count) / 10
        }
        XCTAssertGreaterThanOrEqual(recallSum / Double(queries), 0.95)

        // The imported collection takes ordinary writes and keeps them across a restart.
        XCTAssertEqual(try client.command(["VADD", "vecs", "VALUES", "\(Self.dimension)"]
                                          + (0..<Self.dimension).map { _ in "0.5" } + ["extra"]), .integer(1))
        XCTAssertEqual(server.stop(), 0)
        let restarted = try LarderServerProcess(arguments: ["--dir", database, "--no-model"])
        let second = try RESPConnection(host: "127.0.0.1", port: restarted.port)
        XCTAssertEqual(try second.command(["VCARD", "vecs"]), .integer(Int64(Self.rows + 1)))
        XCTAssertEqual(names(try second.command(["VSIM", "vecs", "ELE", "extra", "COUNT", "1"])), ["extra"])
    }

    func testFormatsImportSameVectors() throws {
        let work = try TemporaryDirectory()
        let values = clusteredVectors(rows: 200)
        let database = work.url.appendingPathComponent("db").path
        let files: [(name: String, bytes: [UInt8], extra: [String])] = [
            ("v.fbin", fbin(values), []),
            ("v.fvecs", fvecs(values), []),
            ("v.npy", npy(values), []),
            ("v.f32", littleEndian(values), ["--dimension", "\(Self.dimension)"]),
        ]
        for (position, file) in files.enumerated() {
            let url = work.url.appendingPathComponent(file.name)
            try write(file.bytes, to: url)
            let result = try LarderExecutable.run(["import-vectors", url.path, "--dir", database, "--key", "set\(position)",
                                                   "--quantization", "noquant", "--id-prefix", "r"] + file.extra)
            XCTAssertEqual(result.status, 0, "\(file.name): \(result.errors)")
        }

        let server = try LarderServerProcess(arguments: ["--dir", database, "--no-model"])
        let client = try RESPConnection(host: "127.0.0.1", port: server.port)
        for position in files.indices {
            XCTAssertEqual(try client.command(["VCARD", "set\(position)"]), .integer(200), files[position].name)
            guard case .array(let components) = try client.command(["VEMB", "set\(position)", "r123"]) else {
                XCTFail("\(files[position].name): VEMB returned no array")
                continue
            }
            let stored = components.compactMap { $0.string.flatMap(Float.init) }
            let original = Array(values[123 * Self.dimension..<124 * Self.dimension])
            XCTAssertEqual(stored.count, Self.dimension, files[position].name)
            for (got, expected) in zip(stored, original) {
                XCTAssertEqual(got, expected, accuracy: 1e-4, files[position].name)
            }
        }
    }

    // MARK: - Bad input

    func testBadFilesGetClearErrors() throws {
        let work = try TemporaryDirectory()
        let values = clusteredVectors(rows: 20)
        var withNaN = values
        withNaN[3 * Self.dimension + 2] = .nan
        var badFvecs = fvecs(values)
        badFvecs[4 + 4 * Self.dimension] = 9  // row 1 claims dimension 9
        let cases: [(name: String, bytes: [UInt8], extra: [String], status: Int32, message: String)] = [
            ("truncated.fbin", Array(fbin(values).dropLast(5)), [], 1, "which needs"),
            ("double.npy", npy(values, descr: "<f8"), [], 1, "astype('<f4')"),
            ("ragged.fvecs", badFvecs, [], 1, "row 1 gives dimension 9"),
            ("nodim.f32", littleEndian(values), [], 1, "pass --dimension"),
            ("uneven.f32", Array(littleEndian(values).dropLast(4)), ["--dimension", "\(Self.dimension)"], 1, "not a whole number"),
            ("nan.fbin", fbin(withNaN), [], 1, "row 3 (id '3') is invalid"),
            ("vectors.txt", [1, 2, 3], [], 2, "--format"),
            ("wrongdim.fbin", fbin(values), ["--dimension", "8"], 1, "--dimension is 8"),
        ]
        for item in cases {
            let url = work.url.appendingPathComponent(item.name)
            try write(item.bytes, to: url)
            let result = try LarderExecutable.run(["import-vectors", url.path, "--dir", work.url.appendingPathComponent("db").path,
                                                   "--key", item.name] + item.extra)
            XCTAssertEqual(result.status, item.status, "\(item.name): \(result.errors)")
            XCTAssertTrue(result.errors.contains(item.message), "\(item.name): \(result.errors)")
            XCTAssertTrue(result.errors.contains(item.name), "\(item.name): the message names the file: \(result.errors)")
        }

        let missing = try LarderExecutable.run(["import-vectors", work.url.appendingPathComponent("absent.fbin").path,
                                                "--dir", work.url.appendingPathComponent("db").path])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.errors.contains("absent.fbin': no such file"), missing.errors)

        // No failed import left a collection behind, and a name in use needs --replace.
        let good = work.url.appendingPathComponent("good.fbin")
        try write(fbin(values), to: good)
        let database = work.url.appendingPathComponent("db").path
        XCTAssertEqual(try LarderExecutable.run(["import-vectors", good.path, "--dir", database, "--key", "k"]).status, 0)
        let again = try LarderExecutable.run(["import-vectors", good.path, "--dir", database, "--key", "k"])
        XCTAssertEqual(again.status, 2)
        XCTAssertTrue(again.errors.contains("'k' already exists in \(database) (pass --replace to rebuild it)"),
                      again.errors)
        XCTAssertEqual(try LarderExecutable.run(["import-vectors", good.path, "--dir", database, "--key", "k",
                                                 "--replace", "--limit", "5"]).status, 0)
        let server = try LarderServerProcess(arguments: ["--dir", database, "--no-model"])
        let client = try RESPConnection(host: "127.0.0.1", port: server.port)
        XCTAssertEqual(try client.command(["DBSIZE"]), .integer(1))
        XCTAssertEqual(try client.command(["VCARD", "k"]), .integer(5))
    }

    // MARK: - Benchmark client

    /// Writes base, queries and exact neighbours in the layout of benchmarks/ann/generate_data.py.
    private func writeDataSet(values: [Float], queryRows: [Int], to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try write(fbin(values), to: folder.appendingPathComponent("base.fbin"))
        let queries = queryRows.flatMap { Array(values[$0 * Self.dimension..<($0 + 1) * Self.dimension]) }
        try write(fbin(queries), to: folder.appendingPathComponent("queries.fbin"))
        var truth = uint32(queryRows.count) + uint32(10)
        for row in queryRows {
            let query = Array(values[row * Self.dimension..<(row + 1) * Self.dimension])
            for id in exactNeighbours(of: query, in: values, k: 10) { truth += uint32(Int(id)!) }
        }
        try write(truth, to: folder.appendingPathComponent("truth.ibin"))
    }

    func testBenchAtFixedRateReportsRecall() throws {
        let work = try TemporaryDirectory()
        let values = clusteredVectors(rows: 1_000)
        let data = work.url.appendingPathComponent("data")
        try writeDataSet(values: values, queryRows: Array(stride(from: 5, to: 1_000, by: 50)), to: data)
        let server = try LarderServerProcess(arguments: ["--in-memory", "--no-model"])
        let records = work.url.appendingPathComponent("records.jsonl")

        let result = try LarderExecutable.run(["bench", "--port", "\(server.port)", "--data", data.path, "--count", "1000",
                                               "--connections", "4", "--requests", "200", "--rate", "400",
                                               "--load-pipeline", "32", "--jsonl", records.path, "--label", "test"])
        XCTAssertEqual(result.status, 0, result.errors + result.output)
        let lines = try String(contentsOf: records, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 2, "one load and one search record")
        let search = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])
        XCTAssertEqual(search["phase"] as? String, "search")
        XCTAssertEqual(search["label"] as? String, "test")
        XCTAssertEqual(search["requests"] as? Int, 200)
        XCTAssertEqual(search["errors"] as? Int, 0)
        // The in-memory set is an HNSW graph over int8 codes: near-exact on 1,000 clustered vectors, not exact.
        let recall = try XCTUnwrap(search["recall"] as? Double)
        XCTAssertGreaterThanOrEqual(recall, 0.95)
        XCTAssertLessThanOrEqual(recall, 1.0)
        // The last request is due at 199 / 400 s, so the run cannot finish sooner.
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(search["seconds"] as? Double), 199.0 / 400)
    }

    func testBenchRejectsRateWithPipeline() throws {
        let result = try LarderExecutable.run(["bench", "--rate", "100", "--pipeline", "4"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.errors.contains("1 together with --rate"), result.errors)
    }
}
