import LarderHNSW
import LarderVector
import XCTest

/// Every rejected input gets its typed error and leaves the index unchanged.
final class BadInputTests: XCTestCase {
    func makeIndex() throws -> HNSWIndex {
        let data = ClusteredData(count: 200, dimension: 4, seed: 2)
        let index = HNSWIndex(configuration: HNSWConfiguration(dimension: 4))
        for (i, vector) in data.vectors.enumerated() { try index.upsert(id: "v\(i)", vector: vector) }
        return index
    }

    func testRejectedUpsertsLeaveIndexUnchanged() throws {
        let index = try makeIndex()
        let before = index.exportGraph()
        let cases: [([Float], VectorError)] = [
            ([], .empty),
            ([1, 2, 3], .wrongDimension(expected: 4, got: 3)),
            ([1, 2, 3, 4, 5], .wrongDimension(expected: 4, got: 5)),
            ([1, .infinity, 0, 0], .nonFinite(index: 1, value: .infinity)),
            ([0, 0, 0, 0], .zeroVector),
        ]
        for (vector, expected) in cases {
            XCTAssertThrowsError(try index.upsert(id: "v1", vector: vector)) { error in
                XCTAssertEqual(error as? VectorError, expected)
            }
            XCTAssertThrowsError(try index.upsert(id: "new", vector: vector))
        }
        XCTAssertThrowsError(try index.upsert(id: "v1", vector: [.nan, 0, 0, 0])) { error in
            guard case let .nonFinite(position, value)? = error as? VectorError else { return XCTFail("\(error)") }
            XCTAssertEqual(position, 0)
            XCTAssertTrue(value.isNaN)
        }
        XCTAssertEqual(index.exportGraph(), before)
    }

    func testRejectedBulkInsertLeavesIndexUnchanged() throws {
        let index = try makeIndex()
        let before = index.exportGraph()
        let badVector: [(id: String, vector: [Float])] = [(id: "a", vector: [1, 0, 0, 0]), (id: "b", vector: [1, 0])]
        XCTAssertThrowsError(try index.bulkInsert(badVector, threads: 2)) { error in
            XCTAssertEqual(error as? VectorError, .wrongDimension(expected: 4, got: 2))
        }
        let repeated: [(id: String, vector: [Float])] = [(id: "a", vector: [1, 0, 0, 0]), (id: "a", vector: [0, 1, 0, 0])]
        XCTAssertThrowsError(try index.bulkInsert(repeated, threads: 2)) { error in
            XCTAssertEqual(error as? HNSWError, .duplicateID("a"))
        }
        XCTAssertEqual(index.exportGraph(), before)
    }

    func testRejectedSearchesNameTheProblem() throws {
        let index = try makeIndex()
        XCTAssertThrowsError(try index.search([1, 0, 0], k: 3)) { error in
            XCTAssertEqual(error as? VectorError, .wrongDimension(expected: 4, got: 3))
        }
        XCTAssertThrowsError(try index.search([1, 0, 0, 0], k: 0)) { error in
            XCTAssertEqual(error as? VectorError, .invalidParameter(name: "k", value: 0))
        }
        XCTAssertThrowsError(try index.search([1, 0, 0, 0], k: 3, ef: -1)) { error in
            XCTAssertEqual(error as? VectorError, .invalidParameter(name: "ef", value: -1))
        }
        XCTAssertThrowsError(try index.exactSearch([0, 0, 0, 0], k: 3)) { error in
            XCTAssertEqual(error as? VectorError, .zeroVector)
        }
    }

    func testInvalidConfigurationsAreRejected() {
        let cases: [(HNSWConfiguration, HNSWError)] = [
            (HNSWConfiguration(dimension: 0), .invalidConfiguration(parameter: "dimension", value: 0, minimum: 1)),
            (HNSWConfiguration(dimension: 8, m: 1), .invalidConfiguration(parameter: "m", value: 1, minimum: 2)),
            (HNSWConfiguration(dimension: 8, efConstruction: 0),
             .invalidConfiguration(parameter: "efConstruction", value: 0, minimum: 1)),
        ]
        for (configuration, expected) in cases {
            XCTAssertThrowsError(try HNSWIndex(validating: configuration)) { error in
                XCTAssertEqual(error as? HNSWError, expected)
            }
        }
        XCTAssertThrowsError(try HNSWIndex(validating: HNSWConfiguration(dimension: 8, quantization: .binary))) { error in
            XCTAssertEqual(error as? VectorError, .unsupportedQuantization(.binary))
        }
    }

    func testCorruptSnapshotsAreRejected() throws {
        let index = try makeIndex()
        let good = index.exportGraph()

        var shortVectors = good
        shortVectors.vectors.removeLast()
        var badLink = good
        badLink.neighbors[3][0][0] = 9_999
        var badEntry = good
        badEntry.entryPoint = 10_000
        var duplicateID = good
        duplicateID.ids[1] = duplicateID.ids[0]
        var selfLink = good
        selfLink.neighbors[5][0][0] = 5

        for snapshot in [shortVectors, badLink, badEntry] {
            XCTAssertThrowsError(try HNSWIndex(snapshot: snapshot)) { error in
                guard case .invalidSnapshot? = error as? HNSWError else { return XCTFail("\(error)") }
            }
        }
        XCTAssertThrowsError(try HNSWIndex(snapshot: duplicateID)) { error in
            XCTAssertEqual(error as? HNSWError, .duplicateID(good.ids[0]))
        }
        XCTAssertThrowsError(try HNSWIndex(snapshot: selfLink)) { error in
            XCTAssertEqual(error as? HNSWError, .integrityViolation(.selfLink(id: good.ids[5], layer: 0)))
        }
    }
}
