import LarderHNSW
import LarderVector
import XCTest

/// Int8 mode keeps only the int8 codes: memory, the vectors it returns,
/// exact search and snapshots all work from the dequantized codes.
final class Int8StorageTests: XCTestCase {
    static let data = ClusteredData(count: 2_000, dimension: 64, seed: 17)

    /// Builds on one thread: a parallel build links in a varying order, so its
    /// link buffers, and with them the memory counts, differ from run to run.
    func build(_ quantization: VectorQuantization, metric: DistanceMetric = .cosine) throws -> HNSWIndex {
        let index = HNSWIndex(configuration: HNSWConfiguration(dimension: 64, metric: metric, quantization: quantization))
        try index.bulkInsert(Self.data.vectors.enumerated().map { (id: "v\($0.offset)", vector: $0.element) }, threads: 1)
        return index
    }

    func testInt8IndexKeepsNoFP32Rows() throws {
        let fp32 = try build(.none).statistics.memoryBytes
        let int8 = try build(.int8).statistics.memoryBytes
        // Each vector drops 4 * 64 fp32 bytes and gains 64 code bytes and 8 bytes of scale and code norm.
        let saved = Self.data.vectors.count * (4 * 64 - 64 - 8)
        // The id table's arrays get whatever capacity malloc rounds to, so allow a few dozen bytes either way.
        XCTAssertEqual(Double(fp32 - int8), Double(saved), accuracy: 64, "fp32 \(fp32) bytes, int8 \(int8) bytes")
    }

    func testVectorIsDequantizedCode() throws {
        for metric in [DistanceMetric.cosine, .l2] {
            let index = try build(.int8, metric: metric)
            for i in [0, 7, 1_999] {
                let original = Self.data.vectors[i]
                let restored = try XCTUnwrap(index.vector(for: "v\(i)"))
                XCTAssertEqual(restored.count, original.count)
                // Rounding to the nearest code is off by at most half a step of max|x| / 127.
                let step = original.map(abs).max()! / 127
                for (a, b) in zip(restored, original) {
                    XCTAssertEqual(a, b, accuracy: step * 0.51, "\(metric), v\(i)")
                }
            }
        }
    }

    func testExactSearchRanksDequantizedVectors() throws {
        let index = try build(.int8)
        let query = Self.data.vectors[42].map { $0 + 0.05 }
        let stored = (0..<Self.data.vectors.count).map { index.vector(for: "v\($0)")! }
        let expected = try ExactSearch.topK(queries: query, base: stored.flatMap { $0 }, dimension: 64, k: 10,
                                            metric: .cosine)[0]
        let hits = try index.exactSearch(query, k: 10)
        XCTAssertEqual(hits.map(\.id), expected.map { "v\($0.index)" })
        for (hit, neighbor) in zip(hits, expected) {
            XCTAssertEqual(hit.distance, neighbor.distance, accuracy: 1e-4)
        }
    }

    func testSnapshotReloadKeepsCodes() throws {
        let index = try build(.int8)
        let snapshot = index.exportGraph()
        let loaded = try HNSWIndex(snapshot: snapshot)
        for i in [3, 900, 1_500] {
            let before = try XCTUnwrap(index.vector(for: "v\(i)"))
            let after = try XCTUnwrap(loaded.vector(for: "v\(i)"))
            for (a, b) in zip(before, after) { XCTAssertEqual(a, b, accuracy: 1e-5, "v\(i)") }
            XCTAssertEqual(try loaded.search(Self.data.vectors[i], k: 5).map(\.id),
                           try index.search(Self.data.vectors[i], k: 5).map(\.id))
        }
    }
}
