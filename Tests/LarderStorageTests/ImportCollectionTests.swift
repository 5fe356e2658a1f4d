import Foundation
import LarderTestSupport
import LarderVector
import XCTest
@testable import LarderStorage

/// `Store.importCollection`: a bulk-built collection written as one segment.
final class ImportCollectionTests: XCTestCase {
    private let dimension = 12

    private func rows(_ count: Int) -> (ids: [String], vectors: [Float]) {
        var factory = VectorFactory(dimension: dimension)
        return ((0..<count).map { "id\($0)" }, (0..<count).flatMap { _ in factory.next() })
    }

    func testImportedCollectionReopensAsOneSegment() throws {
        let directory = try TemporaryDirectory()
        let (ids, vectors) = rows(1_500)
        let attributes = ids.indices.map { $0 % 3 == 0 ? "{\"row\":\($0)}" : nil }
        var reported: [Int] = []
        let store = try Store(directory: directory.url)
        let imported = try store.importCollection(
            named: "bulk", options: CollectionOptions(dimension: dimension, quantization: .none), ids: ids,
            vectors: vectors, attributes: attributes, threads: 2, batchSize: 600, progress: { reported.append($0) })
        XCTAssertEqual(reported, [600, 1_200, 1_500])
        XCTAssertEqual(imported.count, 1_500)
        try store.close()

        let reopened = try Store(directory: directory.url)
        let collection = try XCTUnwrap(reopened.collection(named: "bulk"))
        let info = collection.info()
        XCTAssertEqual(info.segmentCount, 1)
        XCTAssertEqual(info.segmentElements, 1_500)
        XCTAssertEqual(info.memtableCount, 0)
        XCTAssertEqual(collection.attributes(id: "id9"), "{\"row\":9}")
        XCTAssertNil(collection.attributes(id: "id10"))

        var found = 0
        for row in stride(from: 0, to: 1_500, by: 50) {
            let query = Array(vectors[row * dimension..<(row + 1) * dimension])
            let hits = try collection.search(query, k: 1, ef: 64)
            if hits.first?.id == ids[row] { found += 1 }
        }
        XCTAssertEqual(found, 30, "every stored vector finds itself")

        // Later writes go through the WAL as usual.
        XCTAssertTrue(try collection.add(id: "new", vector: Array(vectors[0..<dimension]), attributes: nil))
        XCTAssertEqual(collection.count, 1_501)
        try reopened.close()
    }

    func testInvalidRowsAreRejectedByRow() throws {
        let directory = try TemporaryDirectory()
        let store = try Store(directory: directory.url)
        let options = CollectionOptions(dimension: dimension)
        var (ids, vectors) = rows(10)
        vectors[4 * dimension + 1] = .infinity
        XCTAssertThrowsError(try store.importCollection(named: "bad", options: options, ids: ids, vectors: vectors,
                                                        threads: 1)) { error in
            guard case StorageError.invalidElement(let row, let id, let reason)? = error as? StorageError else {
                return XCTFail("expected invalidElement, got \(error)")
            }
            XCTAssertEqual(row, 4)
            XCTAssertEqual(id, "id4")
            XCTAssertTrue(reason.contains("component 1"), reason)
        }

        (ids, vectors) = rows(10)
        ids[7] = "id2"
        XCTAssertThrowsError(try store.importCollection(named: "bad", options: options, ids: ids, vectors: vectors,
                                                        threads: 1)) { error in
            XCTAssertEqual(error as? StorageError,
                           .invalidElement(row: 7, id: "id2", reason: "the id appears in an earlier row"))
        }

        XCTAssertThrowsError(try store.importCollection(named: "bad", options: options, ids: ids,
                                                        vectors: Array(vectors.dropLast()), threads: 1)) { error in
            guard case StorageError.invalidOption(let name, _, _)? = error as? StorageError else {
                return XCTFail("expected invalidOption, got \(error)")
            }
            XCTAssertEqual(name, "vectors")
        }
        XCTAssertEqual(store.collectionNames, [], "a rejected import leaves no collection")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.url.path)
        XCTAssertEqual(leftovers, [], "a rejected import leaves no files")

        (ids, vectors) = rows(10)
        try store.importCollection(named: "taken", options: options, ids: ids, vectors: vectors, threads: 1)
        XCTAssertThrowsError(try store.importCollection(named: "taken", options: options, ids: ids, vectors: vectors,
                                                        threads: 1)) { error in
            XCTAssertEqual(error as? StorageError, .collectionExists("taken"))
        }
        try store.close()
    }
}
