import LarderHNSW
import LarderVector
import XCTest

final class HNSWBasicTests: XCTestCase {
    func testEmptyIndexReturnsNothing() throws {
        let index = HNSWIndex(configuration: HNSWConfiguration(dimension: 4))
        XCTAssertEqual(index.count, 0)
        XCTAssertEqual(try index.search([1, 0, 0, 0], k: 5), [])
        XCTAssertNoThrow(try index.checkIntegrity())
    }

    func testUpsertReplacesAndRemoveDeletes() throws {
        let index = HNSWIndex(configuration: HNSWConfiguration(dimension: 3, metric: .l2))
        XCTAssertTrue(try index.upsert(id: "a", vector: [1, 0, 0]))
        XCTAssertTrue(try index.upsert(id: "b", vector: [0, 1, 0]))
        XCTAssertFalse(try index.upsert(id: "a", vector: [0, 0, 1]))
        XCTAssertEqual(index.count, 2)
        XCTAssertEqual(index.vector(for: "a"), [0, 0, 1])
        XCTAssertEqual(try index.search([0, 0, 0.9], k: 1).first?.id, "a")
        XCTAssertTrue(index.remove(id: "a"))
        XCTAssertFalse(index.remove(id: "a"))
        XCTAssertFalse(index.contains("a"))
        XCTAssertEqual(try index.search([0, 0, 1], k: 10).map(\.id), ["b"])
        XCTAssertNoThrow(try index.checkIntegrity())
    }

    func testCosineKeepsOriginalVector() throws {
        let index = HNSWIndex(configuration: HNSWConfiguration(dimension: 2))
        try index.upsert(id: "x", vector: [3, 4])
        let restored = try XCTUnwrap(index.vector(for: "x"))
        XCTAssertEqual(restored[0], 3, accuracy: 1e-5)
        XCTAssertEqual(restored[1], 4, accuracy: 1e-5)
        let hit = try XCTUnwrap(try index.search([6, 8], k: 1).first)
        XCTAssertEqual(hit.similarity, 1, accuracy: 1e-5)
        let opposite = try XCTUnwrap(try index.search([-3, -4], k: 1).first)
        XCTAssertEqual(opposite.similarity, 0, accuracy: 1e-5)
    }

    func testRecallOnClusteredData() throws {
        let data = ClusteredData(count: 3000, dimension: 32, seed: 7)
        let queries = ClusteredData(count: 50, dimension: 32, seed: 8)
        let index = HNSWIndex(configuration: HNSWConfiguration(dimension: 32))
        for (i, vector) in data.vectors.enumerated() { try index.upsert(id: "v\(i)", vector: vector) }
        try index.checkIntegrity()

        let truth = try ExactSearch.topK(queries: queries.flat, base: data.flat, dimension: 32, k: 10, metric: .cosine)
        var found = 0
        for (q, query) in queries.vectors.enumerated() {
            let expected = Set(truth[q].map { "v\($0.index)" })
            found += try index.search(query, k: 10).filter { expected.contains($0.id) }.count
        }
        let recall = Double(found) / Double(queries.vectors.count * 10)
        XCTAssertGreaterThanOrEqual(recall, 0.95)
    }

    func testSnapshotRoundTrip() throws {
        let data = ClusteredData(count: 500, dimension: 8, seed: 3)
        let index = HNSWIndex(configuration: HNSWConfiguration(dimension: 8))
        for (i, vector) in data.vectors.enumerated() { try index.upsert(id: "v\(i)", vector: vector) }
        let snapshot = index.exportGraph()
        let loaded = try HNSWIndex(snapshot: snapshot)
        XCTAssertEqual(loaded.count, 500)
        XCTAssertEqual(loaded.exportGraph(), snapshot)
        XCTAssertEqual(try loaded.search(data.vectors[42], k: 1).first?.id, "v42")
    }
}
