import XCTest
import LarderTestSupport
@testable import LarderStorage

/// Compaction and sealing in the background while several threads search and write.
final class ConcurrencyTests: XCTestCase {
    private let dimension = 16

    func testCompactionDuringConcurrentReadsAndWrites() throws {
        let directory = try TemporaryDirectory()
        let options = StoreOptions(fsync: .always, memtableLimit: 60, compactionDeletedFraction: 0.1, compactionSizeRatio: 0.5)
        let store = try Store(directory: directory.url, options: options)
        let collection = try store.createCollection(
            named: "busy", options: CollectionOptions(dimension: dimension, metric: .cosine, quantization: .none, m: 8, efConstruction: 32))
        var vectors = VectorFactory(dimension: dimension)
        for i in 0..<300 { try collection.add(id: "base\(i)", vector: vectors.next(), attributes: "{\"i\":\(i)}") }
        // Deleted before any reader starts and never added again: must never be returned.
        let removed = Set((0..<300).filter { $0 % 4 == 0 }.map { "base\($0)" })
        for id in removed { try collection.remove(id: id) }

        let writerCount = 2, perWriter = 150
        let queries = (0..<20).map { _ in vectors.next() }
        let writerVectors = (0..<writerCount).map { writer in
            (0..<perWriter).map { i in (0..<dimension).map { Float(($0 + i + writer) % 7) + 0.5 } }
        }
        let stop = Flag()
        let failures = Counter()
        let group = DispatchGroup()

        for reader in 0..<2 {
            DispatchQueue.global().async(group: group) {
                var round = 0
                while !stop.isSet {
                    let query = queries[(round + reader) % queries.count]
                    round += 1
                    do {
                        let hits = try collection.search(query, k: 20, exact: round % 3 == 0)
                        if hits.contains(where: { removed.contains($0.id) }) { failures.increment() }
                        if Set(hits.map(\.id)).count != hits.count { failures.increment() }
                    } catch {
                        failures.increment()
                    }
                }
            }
        }
        DispatchQueue.concurrentPerform(iterations: writerCount) { writer in
            for i in 0..<perWriter {
                do {
                    try collection.add(id: "w\(writer)-\(i)", vector: writerVectors[writer][i], attributes: nil)
                    if i % 3 == 0 { try collection.remove(id: "w\(writer)-\(i)") }
                    if i % 10 == 0 { try collection.compact() }
                } catch {
                    failures.increment()
                }
            }
        }
        stop.set()
        group.wait()
        collection.waitForMaintenance()

        XCTAssertEqual(failures.value, 0)
        let expectedWriters = writerCount * (perWriter - (perWriter + 2) / 3)
        XCTAssertEqual(collection.count, 300 - removed.count + expectedWriters)
        XCTAssertGreaterThan(collection.info().compactions, 3)
        for id in removed { XCTAssertFalse(collection.contains(id: id), id) }
        let stored = try XCTUnwrap(collection.vector(id: "w1-4"))
        for (actual, expected) in zip(stored, writerVectors[1][4]) { XCTAssertEqual(actual, expected, accuracy: 1e-4) }
        XCTAssertNil(collection.vector(id: "w1-3"))

        try store.close()
        let reopened = try Store(directory: directory.url, options: options)
        let recovered = try XCTUnwrap(reopened.collection(named: "busy"))
        XCTAssertEqual(recovered.count, 300 - removed.count + expectedWriters)
        XCTAssertEqual(recovered.attributes(id: "base1"), "{\"i\":1}")
        try reopened.close()
    }
}

final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
    func set() { lock.lock(); value = true; lock.unlock() }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
    func increment() { lock.lock(); count += 1; lock.unlock() }
}
