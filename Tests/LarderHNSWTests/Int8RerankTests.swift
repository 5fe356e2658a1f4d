import LarderHNSW
import LarderVector
import XCTest

/// Int8 traversal with an fp32 re-rank keeps both encodings: searches score
/// their final candidates exactly, and the vectors it returns are the originals.
final class Int8RerankTests: XCTestCase {
    static let data = ClusteredData(count: 3_000, dimension: 64, clusters: 30, seed: 23)
    static let queries = ClusteredData(count: 100, dimension: 64, clusters: 30, seed: 23, offset: 3_000)

    /// Builds on one thread, so memory counts are the same from run to run.
    func build(_ quantization: VectorQuantization) throws -> HNSWIndex {
        let index = HNSWIndex(configuration: HNSWConfiguration(dimension: 64, quantization: quantization))
        try index.bulkInsert(Self.data.vectors.enumerated().map { (id: "v\($0.offset)", vector: $0.element) }, threads: 1)
        return index
    }

    func recall(_ index: HNSWIndex, ef: Int) throws -> Double {
        let truth = try ExactSearch.topK(queries: Self.queries.flat, base: Self.data.flat, dimension: 64, k: 10,
                                         metric: .cosine)
        var found = 0
        for (q, query) in Self.queries.vectors.enumerated() {
            let expected = Set(truth[q].map { "v\($0.index)" })
            found += try index.search(query, k: 10, ef: ef).filter { expected.contains($0.id) }.count
        }
        return Double(found) / Double(Self.queries.vectors.count * 10)
    }

    static func cosineDistance(_ a: [Float], _ b: [Float]) -> Float {
        var dot: Float = 0, aa: Float = 0, bb: Float = 0
        for (x, y) in zip(a, b) { dot += x * y; aa += x * x; bb += y * y }
        return 1 - dot / (aa.squareRoot() * bb.squareRoot())
    }

    func testMemoryHoldsBothEncodings() throws {
        let fp32 = try build(.none).statistics.memoryBytes
        let both = try build(.int8Rerank).statistics.memoryBytes
        // Each vector adds 64 code bytes and 8 bytes of scale and code norm to its fp32 row. The
        // id table's arrays get whatever capacity malloc rounds to, so allow a few dozen bytes either way.
        XCTAssertEqual(Double(both - fp32), Double(Self.data.vectors.count * (64 + 8)), accuracy: 64,
                       "fp32 \(fp32) bytes, both \(both) bytes")
    }

    func testReturnsOriginalVectors() throws {
        let index = try build(.int8Rerank)
        for i in [0, 1_234, 2_999] {
            let restored = try XCTUnwrap(index.vector(for: "v\(i)"))
            for (a, b) in zip(restored, Self.data.vectors[i]) { XCTAssertEqual(a, b, accuracy: 1e-5, "v\(i)") }
        }
    }

    func testSearchDistancesAreExact() throws {
        let index = try build(.int8Rerank)
        for query in Self.queries.vectors.prefix(20) {
            let hits = try index.search(query, k: 10, ef: 50)
            XCTAssertEqual(hits.count, 10)
            for hit in hits {
                let stored = Self.data.vectors[Int(hit.id.dropFirst())!]
                let exact = Self.cosineDistance(query, stored)
                XCTAssertEqual(hit.distance, exact, accuracy: 1e-5, hit.id)
            }
            XCTAssertEqual(hits.map(\.distance), hits.map(\.distance).sorted(), "closest first")
        }
    }

    /// At a wide ef the re-rank recovers the neighbours that int8 rounding
    /// reorders, so its recall beats plain int8 and nearly reaches 1.
    func testRerankRecallBeatsPlainInt8() throws {
        let plain = try recall(try build(.int8), ef: 300)
        let reranked = try recall(try build(.int8Rerank), ef: 300)
        XCTAssertGreaterThanOrEqual(reranked, 0.99, "re-ranked recall@10 \(reranked), plain int8 \(plain)")
        XCTAssertGreaterThan(reranked, plain, "re-ranked recall@10 \(reranked), plain int8 \(plain)")
    }

    func testExactSearchAndSnapshotUseFP32Rows() throws {
        let index = try build(.int8Rerank)
        let query = Self.queries.vectors[7]
        let expected = try ExactSearch.topK(queries: query, base: Self.data.flat, dimension: 64, k: 10,
                                            metric: .cosine)[0]
        XCTAssertEqual(try index.exactSearch(query, k: 10).map(\.id), expected.map { "v\($0.index)" })

        let loaded = try HNSWIndex(snapshot: index.exportGraph())
        XCTAssertEqual(loaded.configuration.quantization, .int8Rerank)
        let restored = try XCTUnwrap(loaded.vector(for: "v99"))
        for (a, b) in zip(restored, Self.data.vectors[99]) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        XCTAssertEqual(try loaded.search(query, k: 10).map(\.id), try index.search(query, k: 10).map(\.id))
    }
}
