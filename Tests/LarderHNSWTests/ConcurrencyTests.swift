import Dispatch
import Foundation
import LarderHNSW
import LarderVector
import XCTest

/// Searches on several threads while another thread inserts and deletes.
final class ConcurrencyTests: XCTestCase {
    func testSearchesDuringWrites() throws {
        try stress(quantization: .none)
    }

    func testSearchesDuringWritesInt8() throws {
        try stress(quantization: .int8)
    }

    func stress(quantization: VectorQuantization) throws {
        let dimension = 24
        let data = ClusteredData(count: 6_000, dimension: dimension, seed: 31)
        let index = HNSWIndex(configuration: HNSWConfiguration(dimension: dimension, m: 8, efConstruction: 64,
                                                               quantization: quantization))
        try index.bulkInsert((0..<2_000).map { (id: "v\($0)", vector: data.vectors[$0]) }, threads: 2)

        let failures = FailureLog()
        let writesDone = DispatchSemaphore(value: 0)
        let writer = Thread {
            do {
                for i in 2_000..<6_000 {
                    try index.upsert(id: "v\(i)", vector: data.vectors[i])
                    if i % 3 == 0 { index.remove(id: "v\(i - 2_000)") }
                    if i % 500 == 0 {
                        try index.bulkInsert((0..<20).map { (id: "b\(i)-\($0)", vector: data.vectors[($0 * 37 + i) % 6_000]) },
                                             threads: 2)
                    }
                }
            } catch {
                failures.record("writer: \(error)")
            }
            writesDone.signal()
        }
        writer.start()

        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            var round = 0
            while writesDone.wait(timeout: .now()) == .timedOut {
                let query = data.vectors[(round * 4 + worker) % 6_000]
                round += 1
                do {
                    let hits = try index.search(query, k: 10)
                    if hits.count != 10 {
                        failures.record("search returned \(hits.count) hits")
                    }
                    if Set(hits.map(\.id)).count != hits.count { failures.record("duplicate ids in one result") }
                    if zip(hits, hits.dropFirst()).contains(where: { $0.distance > $1.distance }) {
                        failures.record("hits not sorted by distance")
                    }
                    _ = index.neighbors(of: hits.first?.id ?? "")
                    _ = index.randomIDs(count: 3)
                } catch {
                    failures.record("search: \(error)")
                }
            }
            writesDone.signal()
        }

        XCTAssertEqual(failures.messages, [])
        let removals = (2_000..<6_000).filter { $0 % 3 == 0 }.count
        let batches = (2_000..<6_000).filter { $0 % 500 == 0 }.count
        XCTAssertEqual(index.count, 6_000 - removals + batches * 20)
        // Single inserts may strand a node until maintenance repairs reachability.
        index.purgeDeleted()
        XCTAssertNoThrow(try index.checkIntegrity())
    }
}

/// Thread-safe list of failure messages collected off the test thread.
final class FailureLog: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []

    func record(_ message: String) {
        lock.lock()
        storage.append(message)
        lock.unlock()
    }

    var messages: [String] {
        lock.lock()
        defer { lock.unlock() }
        return Array(storage.prefix(10))
    }
}
