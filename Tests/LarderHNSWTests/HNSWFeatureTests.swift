import LarderHNSW
import LarderVector
import XCTest

/// Search options, introspection and persistence of `HNSWIndex`.
final class HNSWFeatureTests: XCTestCase {
    static let data = ClusteredData(count: 1_500, dimension: 16, seed: 13)

    func makeIndex(_ configuration: HNSWConfiguration = HNSWConfiguration(dimension: 16)) throws -> HNSWIndex {
        let index = HNSWIndex(configuration: configuration)
        for (i, vector) in Self.data.vectors.enumerated() { try index.upsert(id: "v\(i)", vector: vector) }
        return index
    }

    func testKLargerThanCountReturnsAll() throws {
        let index = HNSWIndex(configuration: HNSWConfiguration(dimension: 16))
        for i in 0..<7 { try index.upsert(id: "v\(i)", vector: Self.data.vectors[i]) }
        let hits = try index.search(Self.data.vectors[0], k: 50)
        XCTAssertEqual(Set(hits.map(\.id)), Set((0..<7).map { "v\($0)" }))
        XCTAssertEqual(hits.first?.id, "v0")
    }

    func testFilterRestrictsResults() throws {
        let index = try makeIndex()
        let even: (String) -> Bool = { Int($0.dropFirst())! % 2 == 0 }
        let hits = try index.search(Self.data.vectors[3], k: 10, filter: even)
        XCTAssertEqual(hits.count, 10)
        XCTAssertTrue(hits.allSatisfy { even($0.id) })
        let exact = try index.exactSearch(Self.data.vectors[3], k: 10, filter: even)
        XCTAssertGreaterThanOrEqual(Set(hits.map(\.id)).intersection(exact.map(\.id)).count, 9)

        let one = try index.search(Self.data.vectors[3], k: 10, filter: { $0 == "v1234" })
        XCTAssertEqual(one.map(\.id), ["v1234"])
    }

    func testEfNeverBelowK() throws {
        let index = try makeIndex()
        let hits = try index.search(Self.data.vectors[0], k: 200, ef: 5)
        XCTAssertEqual(hits.count, 200)
    }

    func testStatisticsCountWork() throws {
        let index = try makeIndex()
        var small = SearchStatistics()
        _ = try index.search(Self.data.vectors[0], k: 10, ef: 10, statistics: &small)
        var large = SearchStatistics()
        _ = try index.search(Self.data.vectors[0], k: 10, ef: 300, statistics: &large)
        XCTAssertGreaterThan(small.distanceComputations, 10)
        XCTAssertGreaterThanOrEqual(small.distanceComputations, small.visitedNodes)
        XCTAssertGreaterThan(large.visitedNodes, small.visitedNodes)
        XCTAssertLessThan(large.visitedNodes, 1_500 * 2, "a search must not scan everything many times")
    }

    func testNeighborsPerLayer() throws {
        let index = try makeIndex()
        XCTAssertNil(index.neighbors(of: "missing"))
        let layers = try XCTUnwrap(index.neighbors(of: "v0"))
        XCTAssertFalse(layers.isEmpty)
        XCTAssertLessThanOrEqual(layers[0].count, 32)
        XCTAssertGreaterThan(layers[0].count, 0)
        for layer in layers.dropFirst() { XCTAssertLessThanOrEqual(layer.count, 16) }
        for link in layers[0] {
            XCTAssertNotEqual(link.id, "v0")
            XCTAssertTrue((0...1).contains(link.similarity))
        }
        let statistics = index.statistics
        XCTAssertEqual(statistics.count, 1_500)
        XCTAssertGreaterThanOrEqual(statistics.maxLevel, 1)
    }

    func testRandomIDsAreDistinctMembers() throws {
        let index = try makeIndex()
        let sample = index.randomIDs(count: 40)
        XCTAssertEqual(sample.count, 40)
        XCTAssertEqual(Set(sample).count, 40)
        XCTAssertTrue(sample.allSatisfy(index.contains))
        XCTAssertEqual(index.randomIDs(count: 5_000).count, 1_500)
        XCTAssertEqual(index.randomIDs(count: 0), [])
    }

    func testUpsertReplacesVectorInGraph() throws {
        let index = try makeIndex()
        let far = Self.data.vectors[900]
        XCTAssertFalse(try index.upsert(id: "v5", vector: far))
        XCTAssertEqual(index.count, 1_500)
        let hits = try index.search(far, k: 2)
        XCTAssertEqual(Set(hits.map(\.id)), ["v5", "v900"])
        XCTAssertFalse(try index.search(Self.data.vectors[5], k: 1).contains { $0.id == "v5" && $0.distance < 1e-4 })
        try index.checkIntegrity()
    }

    func testSingleThreadBuildIsReproducible() throws {
        let items = Self.data.vectors.prefix(600).enumerated().map { (id: "v\($0.offset)", vector: $0.element) }
        let first = HNSWIndex(configuration: HNSWConfiguration(dimension: 16, seed: 99))
        try first.bulkInsert(items, threads: 1)
        let second = HNSWIndex(configuration: HNSWConfiguration(dimension: 16, seed: 99))
        for item in items { try second.upsert(id: item.id, vector: item.vector) }
        XCTAssertEqual(first.exportGraph(), second.exportGraph())
    }

    func testSnapshotRoundTripAfterDeletesInt8() throws {
        let index = try makeIndex(HNSWConfiguration(dimension: 16, metric: .l2, quantization: .int8))
        for i in stride(from: 0, to: 1_500, by: 3) { index.remove(id: "v\(i)") }
        let snapshot = index.exportGraph()
        XCTAssertEqual(snapshot.ids.count, 1_000)
        XCTAssertEqual(index.statistics.pendingDeletions, 0)
        let loaded = try HNSWIndex(snapshot: snapshot)
        XCTAssertEqual(loaded.count, 1_000)
        XCTAssertEqual(loaded.exportGraph(), snapshot)
        for i in [1, 2, 500, 1_499] {
            XCTAssertEqual(try loaded.search(Self.data.vectors[i], k: 3), try index.search(Self.data.vectors[i], k: 3))
        }
        // Int8 mode returns the dequantized code: within half a quantization step of the original.
        let restored = try XCTUnwrap(loaded.vector(for: "v1"))
        let step = Self.data.vectors[1].map(abs).max()! / 127
        for (a, b) in zip(restored, Self.data.vectors[1]) { XCTAssertEqual(a, b, accuracy: step * 0.51) }
        XCTAssertEqual(restored, index.vector(for: "v1"))
        XCTAssertNil(loaded.vector(for: "v0"))
    }

    func testInnerProductRanksLargestDotFirst() throws {
        let index = HNSWIndex(configuration: HNSWConfiguration(dimension: 2, metric: .innerProduct))
        try index.upsert(id: "small", vector: [1, 0])
        try index.upsert(id: "large", vector: [5, 0])
        try index.upsert(id: "opposite", vector: [-5, 0])
        let hits = try index.search([1, 0], k: 3)
        XCTAssertEqual(hits.map(\.id), ["large", "small", "opposite"])
        XCTAssertEqual(hits[0].distance, -4, accuracy: 1e-6)
    }
}
