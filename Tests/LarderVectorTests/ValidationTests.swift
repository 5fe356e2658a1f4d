import LarderVector
import XCTest

final class ValidationTests: XCTestCase {
    func testRejectsEachBadVector() {
        let cases: [([Float], Int?, DistanceMetric, VectorError)] = [
            ([], nil, .cosine, .empty),
            ([1, 2], 3, .l2, .wrongDimension(expected: 3, got: 2)),
            ([1, .nan, 2], 3, .l2, .nonFinite(index: 1, value: .nan)),
            ([1, 2, .infinity], 3, .innerProduct, .nonFinite(index: 2, value: .infinity)),
            ([0, 0, 0], 3, .cosine, .zeroVector),
        ]
        for (vector, dimension, metric, expected) in cases {
            XCTAssertThrowsError(try validate(vector, dimension: dimension, metric: metric)) { error in
                guard let error = error as? VectorError else { return XCTFail("untyped error \(error)") }
                switch (error, expected) {
                case let (.nonFinite(i, v), .nonFinite(j, w)):
                    XCTAssertEqual(i, j)
                    XCTAssertEqual(v.isNaN, w.isNaN)
                default:
                    XCTAssertEqual(error, expected)
                }
            }
        }
    }

    func testAcceptsZeroVectorUnderL2() {
        XCTAssertNoThrow(try validate([0, 0], dimension: 2, metric: .l2))
    }

    func testMessagesNameTheValue() {
        XCTAssertTrue(VectorError.wrongDimension(expected: 128, got: 3).description.contains("128"))
        XCTAssertTrue(VectorError.nonFinite(index: 7, value: .infinity).description.contains("component 7"))
    }
}
