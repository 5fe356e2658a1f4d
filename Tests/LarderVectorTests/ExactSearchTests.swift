import LarderTestSupport
import LarderVector
import XCTest

final class ExactSearchTests: XCTestCase {
    func naive(_ queries: [[Float]], _ base: [[Float]], k: Int, metric: DistanceMetric) -> [[Int]] {
        func normalized(_ v: [Float]) -> [Float] {
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return v.map { $0 / norm }
        }
        return queries.map { query in
            let q = metric == .cosine ? normalized(query) : query
            let distances = base.enumerated().map { index, row -> (Int, Float) in
                let r = metric == .cosine ? normalized(row) : row
                let dot = zip(q, r).reduce(Float(0)) { $0 + $1.0 * $1.1 }
                let l2 = zip(q, r).reduce(Float(0)) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
                return (index, metric == .l2 ? l2 : 1 - dot)
            }
            return distances.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.prefix(k).map(\.0)
        }
    }

    func testMatchesNaiveSearchForEveryMetric() throws {
        var generator = SeededGenerator(seed: 3)
        let dimension = 19
        // More rows than one BLAS block so block boundaries are exercised.
        let base = (0..<4_500).map { _ in (0..<dimension).map { _ in Float.random(in: -1...1, using: &generator) } }
        let queries = (0..<70).map { _ in (0..<dimension).map { _ in Float.random(in: -1...1, using: &generator) } }
        for metric in DistanceMetric.allCases {
            let fast = try ExactSearch.topK(queries: queries.flatMap { $0 }, base: base.flatMap { $0 },
                                            dimension: dimension, k: 5, metric: metric)
            let slow = naive(queries, base, k: 5, metric: metric)
            XCTAssertEqual(fast.count, 70)
            for q in 0..<70 {
                // Rounding can swap near-ties, so compare as sets with one allowed difference.
                let overlap = Set(fast[q].map(\.index)).intersection(slow[q]).count
                XCTAssertGreaterThanOrEqual(overlap, 4, "\(metric) query \(q)")
                XCTAssertEqual(fast[q][0].index, slow[q][0], "\(metric) query \(q) nearest")
            }
        }
    }

    func testKLargerThanBaseReturnsEveryRow() throws {
        let result = try ExactSearch.topK(queries: [1, 0], base: [0, 1, 1, 0, -1, 0], dimension: 2, k: 10, metric: .l2)
        XCTAssertEqual(result[0].map(\.index), [1, 0, 2])
        XCTAssertEqual(result[0].map(\.distance), [0, 2, 4])
    }

    func testRejectsBadShapes() {
        XCTAssertThrowsError(try ExactSearch.topK(queries: [1, 0, 0], base: [1, 0], dimension: 2, k: 1, metric: .l2))
        XCTAssertThrowsError(try ExactSearch.topK(queries: [1, 0], base: [1, 0], dimension: 2, k: 0, metric: .l2)) { error in
            XCTAssertEqual(error as? VectorError, .invalidParameter(name: "k", value: 0))
        }
    }
}
