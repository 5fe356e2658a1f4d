import LarderHNSW
import LarderVector
import XCTest

/// Recall@10 of the graph search against the exact BLAS search on seeded
/// clustered data (20,000 x 128, cosine) at default parameters.
final class RecallTests: XCTestCase {
    static let base = ClusteredData(count: 20_000, dimension: 128, clusters: 100, seed: 11)
    static let queries = ClusteredData(count: 200, dimension: 128, clusters: 100, seed: 11, offset: 20_000)

    static func truth(metric: DistanceMetric) throws -> [[Int]] {
        try ExactSearch.topK(queries: queries.flat, base: base.flat, dimension: 128, k: 10, metric: metric)
            .map { $0.map(\.index) }
    }

    static func recall(of index: HNSWIndex, truth: [[Int]], ef: Int? = nil) throws -> Double {
        var found = 0
        for (q, query) in queries.vectors.enumerated() {
            let expected = Set(truth[q].map { "v\($0)" })
            found += try index.search(query, k: 10, ef: ef).filter { expected.contains($0.id) }.count
        }
        return Double(found) / Double(queries.vectors.count * 10)
    }

    func build(_ configuration: HNSWConfiguration) throws -> HNSWIndex {
        let index = HNSWIndex(configuration: configuration)
        let items = Self.base.vectors.enumerated().map { (id: "v\($0.offset)", vector: $0.element) }
        try index.bulkInsert(items, threads: 2)
        return index
    }

    func testRecallFP32Cosine() throws {
        let index = try build(HNSWConfiguration(dimension: 128))
        XCTAssertEqual(index.count, 20_000)
        try index.checkIntegrity()
        let recall = try Self.recall(of: index, truth: try Self.truth(metric: .cosine))
        XCTAssertGreaterThanOrEqual(recall, 0.95, "fp32 recall@10 \(recall)")
    }

    func testRecallInt8Cosine() throws {
        let index = try build(HNSWConfiguration(dimension: 128, quantization: .int8))
        try index.checkIntegrity()
        let recall = try Self.recall(of: index, truth: try Self.truth(metric: .cosine))
        XCTAssertGreaterThanOrEqual(recall, 0.95, "int8 recall@10 \(recall)")
    }

    func testRecallFP32L2() throws {
        let index = try build(HNSWConfiguration(dimension: 128, metric: .l2))
        try index.checkIntegrity()
        let recall = try Self.recall(of: index, truth: try Self.truth(metric: .l2))
        XCTAssertGreaterThanOrEqual(recall, 0.95, "l2 recall@10 \(recall)")
    }
}
