import XCTest
import LarderHNSW
import LarderTestSupport
import LarderVector
@testable import LarderStorage

final class CollectionTests: XCTestCase {
    private let dimension = 8

    private func manualOptions(_ fsync: FsyncPolicy = .always) -> StoreOptions {
        StoreOptions(fsync: fsync, memtableLimit: 1_000_000, automaticMaintenance: false)
    }

    private func collectionOptions(_ quantization: VectorQuantization = .none) -> CollectionOptions {
        CollectionOptions(dimension: dimension, metric: .l2, quantization: quantization, m: 8, efConstruction: 40)
    }

    func testAddSearchRemoveAndAttributes() throws {
        let directory = try TemporaryDirectory()
        let store = try Store(directory: directory.url, options: manualOptions())
        let collection = try store.createCollection(named: "items", options: collectionOptions())
        XCTAssertTrue(try collection.add(id: "a", vector: [Float](repeating: 1, count: dimension), attributes: #"{"k":1}"#))
        XCTAssertTrue(try collection.add(id: "b", vector: [Float](repeating: 2, count: dimension), attributes: nil))
        XCTAssertFalse(try collection.add(id: "b", vector: [Float](repeating: 3, count: dimension), attributes: ""))
        XCTAssertEqual(collection.count, 2)
        XCTAssertEqual(collection.attributes(id: "a"), #"{"k":1}"#)
        XCTAssertNil(collection.attributes(id: "b"))
        XCTAssertEqual(collection.vector(id: "b"), [Float](repeating: 3, count: dimension))

        let hits = try collection.search([Float](repeating: 1, count: dimension), k: 2)
        XCTAssertEqual(hits.map(\.id), ["a", "b"])
        let filtered = try collection.search([Float](repeating: 1, count: dimension), k: 2, filter: { _, attributes in attributes == nil })
        XCTAssertEqual(filtered.map(\.id), ["b"])

        XCTAssertTrue(try collection.setAttributes(id: "b", json: "{}"))
        XCTAssertEqual(collection.attributes(id: "b"), "{}")
        XCTAssertFalse(try collection.setAttributes(id: "missing", json: "{}"))
        XCTAssertTrue(try collection.remove(id: "a"))
        XCTAssertFalse(try collection.remove(id: "a"))
        XCTAssertFalse(collection.contains(id: "a"))
        XCTAssertEqual(collection.count, 1)
    }

    func testInvalidInputIsRejectedWithTypedErrors() throws {
        let directory = try TemporaryDirectory()
        let store = try Store(directory: directory.url, options: manualOptions())
        let collection = try store.createCollection(named: "items", options: collectionOptions())
        XCTAssertThrowsError(try collection.add(id: "x", vector: [1, 2], attributes: nil)) { error in
            XCTAssertEqual(error as? VectorError, .wrongDimension(expected: dimension, got: 2))
        }
        var bad = [Float](repeating: 1, count: dimension)
        bad[3] = .nan
        XCTAssertThrowsError(try collection.add(id: "x", vector: bad, attributes: nil)) { error in
            guard case VectorError.nonFinite(3, _)? = error as? VectorError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try collection.add(id: "", vector: [Float](repeating: 1, count: dimension), attributes: nil)) { error in
            XCTAssertEqual(error as? StorageError, .invalidIdentifier(""))
        }
        XCTAssertThrowsError(try store.createCollection(named: "items", options: collectionOptions())) { error in
            XCTAssertEqual(error as? StorageError, .collectionExists("items"))
        }
        XCTAssertThrowsError(try store.createCollection(named: "zero", options: CollectionOptions(dimension: 0))) { error in
            guard case StorageError.invalidOption("dimension", "0", _)? = error as? StorageError else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(collection.count, 0)
    }

    func testReopenReplaysWAL() throws {
        let directory = try TemporaryDirectory()
        var vectors = VectorFactory(dimension: dimension)
        var expected: [String: [Float]] = [:]
        do {
            let store = try Store(directory: directory.url, options: manualOptions(.no))
            let collection = try store.createCollection(named: "items", options: collectionOptions())
            for i in 0..<50 {
                let vector = vectors.next()
                expected["e\(i)"] = vector
                try collection.add(id: "e\(i)", vector: vector, attributes: i % 2 == 0 ? "{\"i\":\(i)}" : nil)
            }
            for i in stride(from: 0, to: 50, by: 5) {
                try collection.remove(id: "e\(i)")
                expected["e\(i)"] = nil
            }
            try collection.setAttributes(id: "e1", json: "{\"changed\":true}")
            try store.close()
        }
        let store = try Store(directory: directory.url, options: manualOptions())
        let collection = try XCTUnwrap(store.collection(named: "items"))
        XCTAssertEqual(collection.count, expected.count)
        for (id, vector) in expected {
            XCTAssertEqual(collection.vector(id: id), vector, id)
        }
        XCTAssertEqual(collection.attributes(id: "e1"), "{\"changed\":true}")
        XCTAssertEqual(collection.attributes(id: "e2"), "{\"i\":2}")
        XCTAssertFalse(collection.contains(id: "e5"))
    }

    func testCheckpointSealsSegmentsAndTombstonesSurviveReopen() throws {
        let directory = try TemporaryDirectory()
        var vectors = VectorFactory(dimension: dimension)
        var expected: [String: [Float]] = [:]
        do {
            let store = try Store(directory: directory.url, options: manualOptions())
            let collection = try store.createCollection(named: "items", options: collectionOptions())
            for i in 0..<40 {
                let vector = vectors.next()
                expected["e\(i)"] = vector
                try collection.add(id: "e\(i)", vector: vector, attributes: "{\"i\":\(i)}")
            }
            try collection.checkpoint()
            XCTAssertEqual(collection.info().segmentCount, 1)
            XCTAssertEqual(collection.info().memtableCount, 0)
            // Delete, replace and re-attribute elements that now live in the segment.
            try collection.remove(id: "e0")
            expected["e0"] = nil
            let replacement = vectors.next()
            XCTAssertFalse(try collection.add(id: "e1", vector: replacement, attributes: nil))
            expected["e1"] = replacement
            XCTAssertTrue(try collection.setAttributes(id: "e2", json: "{\"moved\":1}"))
            XCTAssertEqual(collection.count, 39)
            XCTAssertEqual(collection.info().deletedInSegments, 3)
            try collection.checkpoint()
            XCTAssertEqual(collection.info().segmentCount, 2)
            try store.close()
        }
        let store = try Store(directory: directory.url, options: manualOptions())
        let collection = try XCTUnwrap(store.collection(named: "items"))
        XCTAssertEqual(collection.count, 39)
        XCTAssertEqual(collection.info().segmentCount, 2)
        XCTAssertEqual(collection.info().memtableCount, 0)
        for (id, vector) in expected {
            XCTAssertEqual(collection.vector(id: id), vector, id)
        }
        XCTAssertNil(collection.vector(id: "e0"))
        XCTAssertNil(collection.attributes(id: "e1"))
        XCTAssertEqual(collection.attributes(id: "e2"), "{\"moved\":1}")
        let hits = try collection.search(expected["e1"]!, k: 39, exact: true)
        XCTAssertEqual(hits.count, 39)
        XCTAssertEqual(hits.first?.id, "e1")
        XCTAssertEqual(Set(hits.map(\.id)), Set(expected.keys))
        XCTAssertEqual(try collection.search(expected["e1"]!, k: 5).first?.id, "e1")
    }

    func testCompactionPurgesDeletedElements() throws {
        let directory = try TemporaryDirectory()
        let store = try Store(directory: directory.url, options: manualOptions())
        let collection = try store.createCollection(named: "items", options: collectionOptions(.int8))
        var vectors = VectorFactory(dimension: dimension)
        for round in 0..<3 {
            for i in 0..<30 { try collection.add(id: "r\(round)-\(i)", vector: vectors.next(), attributes: "{\"r\":\(round)}") }
            try collection.checkpoint()
        }
        for i in 0..<30 where i % 2 == 0 { try collection.remove(id: "r0-\(i)") }
        let query = vectors.next()
        let before = try collection.search(query, k: 10, exact: true)
        XCTAssertEqual(collection.info().segmentCount, 3)

        try collection.compact()
        let info = collection.info()
        XCTAssertEqual(info.segmentCount, 1)
        XCTAssertEqual(info.deletedInSegments, 0)
        XCTAssertEqual(info.segmentElements, 75)
        XCTAssertEqual(info.compactions, 1)
        XCTAssertEqual(collection.count, 75)
        XCTAssertEqual(try collection.search(query, k: 10, exact: true).map(\.id), before.map(\.id))
        XCTAssertEqual(collection.attributes(id: "r2-3"), "{\"r\":2}")
        let segmentFiles = try FileManager.default.contentsOfDirectory(atPath: collection.directory).filter { $0.hasSuffix(".lseg") }
        XCTAssertEqual(segmentFiles.count, 1)

        try store.close()
        let reopened = try Store(directory: directory.url, options: manualOptions())
        XCTAssertEqual(reopened.collection(named: "items")?.count, 75)
        XCTAssertFalse(reopened.collection(named: "items")!.contains(id: "r0-0"))
    }

    func testAutomaticSealAndCompaction() throws {
        let directory = try TemporaryDirectory()
        let options = StoreOptions(fsync: .no, memtableLimit: 25, compactionDeletedFraction: 0.2, compactionSizeRatio: 1.0)
        let store = try Store(directory: directory.url, options: options)
        let collection = try store.createCollection(named: "items", options: collectionOptions())
        var vectors = VectorFactory(dimension: dimension)
        for i in 0..<100 { try collection.add(id: "e\(i)", vector: vectors.next(), attributes: nil) }
        collection.waitForMaintenance()
        let info = collection.info()
        XCTAssertEqual(info.count, 100)
        XCTAssertLessThan(info.memtableCount, 25)
        XCTAssertGreaterThanOrEqual(info.segmentCount, 1)
        XCTAssertGreaterThanOrEqual(info.compactions, 1)
        XCTAssertEqual(info.sealingCount, 0)
        XCTAssertEqual(info.segmentElements - info.deletedInSegments + info.memtableCount, 100)
        // Old WAL generations are removed once their segments are durable.
        XCTAssertLessThanOrEqual(collection.walFileSizes().count, 2)
        try store.close()
    }

    func testSegmentBlockSizesCoverTheFiles() throws {
        let directory = try TemporaryDirectory()
        let store = try Store(directory: directory.url, options: manualOptions())
        let collection = try store.createCollection(named: "items", options: collectionOptions())
        XCTAssertEqual(try collection.segmentBlockSizes(), [])
        var vectors = VectorFactory(dimension: dimension)
        for i in 0..<50 { try collection.add(id: "e\(i)", vector: vectors.next(), attributes: "{\"name\":\"item \(i)\"}") }
        try collection.checkpoint()
        let sizes = try collection.segmentBlockSizes()
        XCTAssertEqual(sizes.map(\.kind), ["ids", "vectors", "norms", "levels", "graph", "attributes"])
        let vectorBlock = try XCTUnwrap(sizes.first { $0.kind == "vectors" })
        XCTAssertEqual(vectorBlock.uncompressedBytes, 50 * dimension * 4)
        let info = collection.info()
        let overhead = SegmentFormat.headerSize + sizes.count * SegmentFormat.indexEntrySize + SegmentFormat.trailerSize
        XCTAssertEqual(sizes.reduce(0) { $0 + $1.storedBytes } + overhead, info.segmentBytes)
    }

    func testDropCollectionRemovesFiles() throws {
        let directory = try TemporaryDirectory()
        let store = try Store(directory: directory.url, options: manualOptions())
        let collection = try store.createCollection(named: "gone", options: collectionOptions())
        try collection.add(id: "a", vector: [Float](repeating: 1, count: dimension), attributes: nil)
        XCTAssertTrue(try store.dropCollection(named: "gone"))
        XCTAssertFalse(try store.dropCollection(named: "gone"))
        XCTAssertEqual(store.collectionNames, [])
        XCTAssertThrowsError(try collection.add(id: "b", vector: [Float](repeating: 1, count: dimension), attributes: nil))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.url.path), [])
        let reopened = try Store(directory: directory.url, options: manualOptions())
        XCTAssertEqual(reopened.collectionNames, [])
    }

    func testSnapshotAndRestoreWhileWriting() throws {
        let directory = try TemporaryDirectory()
        let snapshots = try TemporaryDirectory()
        let store = try Store(directory: directory.url, options: manualOptions(.everysec))
        let collection = try store.createCollection(named: "live", options: collectionOptions())
        var vectors = VectorFactory(dimension: dimension)
        for i in 0..<30 { try collection.add(id: "a\(i)", vector: vectors.next(), attributes: "{\"i\":\(i)}") }
        try collection.checkpoint()
        for i in 0..<10 { try collection.add(id: "b\(i)", vector: vectors.next(), attributes: nil) }
        try collection.remove(id: "a3")
        let snapshotURL = snapshots.url.appendingPathComponent("live-1")
        try collection.snapshot(to: snapshotURL)
        // Writes after the snapshot must not appear in it.
        try collection.add(id: "after", vector: vectors.next(), attributes: nil)
        try collection.remove(id: "a4")

        let restored = try store.restoreCollection(named: "copy", from: snapshotURL)
        XCTAssertEqual(restored.count, 39)
        XCTAssertFalse(restored.contains(id: "a3"))
        XCTAssertTrue(restored.contains(id: "a4"))
        XCTAssertFalse(restored.contains(id: "after"))
        XCTAssertEqual(restored.attributes(id: "a5"), "{\"i\":5}")
        XCTAssertEqual(collection.count, 39)
        XCTAssertThrowsError(try store.restoreCollection(named: "copy", from: snapshotURL))
        try store.close()
        let reopened = try Store(directory: directory.url, options: manualOptions())
        XCTAssertEqual(Set(reopened.collectionNames), ["live", "copy"])
        XCTAssertEqual(reopened.collection(named: "copy")?.count, 39)
    }
}
