import LarderHNSW
import LarderTestSupport
import LarderVector
import XCTest

/// Repeated deletion and reinsertion: deleted ids never come back, memory
/// is reused, and recall stays at the level of a fresh build.
final class ChurnTests: XCTestCase {
    func testSevenCyclesOfThirtyPercentChurn() throws {
        let dimension = 64
        let live = 8_000
        let pool = ClusteredData(count: live * 4, dimension: dimension, clusters: 80, seed: 21)
        let queries = ClusteredData(count: 100, dimension: dimension, clusters: 80, seed: 21, offset: live * 4)
        let index = HNSWIndex(configuration: HNSWConfiguration(dimension: dimension))
        var generator = SeededGenerator(seed: 5)

        var liveIDs = Array(0..<live)
        try index.bulkInsert(liveIDs.map { (id: "v\($0)", vector: pool.vectors[$0]) }, threads: 2)
        var nextID = live
        var everDeleted = Set<String>()
        var capacityAfterFirstCycle = 0

        for cycle in 1...7 {
            liveIDs.shuffle(using: &generator)
            let removedCount = live * 3 / 10
            for id in liveIDs.suffix(removedCount) {
                XCTAssertTrue(index.remove(id: "v\(id)"))
                everDeleted.insert("v\(id)")
            }
            liveIDs.removeLast(removedCount)
            for _ in 0..<removedCount {
                // New ids with new vectors; vectors past the pool reuse earlier rows.
                try index.upsert(id: "v\(nextID)", vector: pool.vectors[nextID % pool.vectors.count])
                liveIDs.append(nextID)
                nextID += 1
            }
            XCTAssertEqual(index.count, live, "cycle \(cycle)")
            // The maintenance pass a collection runs before sealing: purge and repair reachability.
            index.purgeDeleted()
            XCTAssertNoThrow(try index.checkIntegrity(), "cycle \(cycle)")

            let snapshot = index.exportGraph()
            XCTAssertEqual(snapshot.ids.count, live, "no deleted node survives a purge in cycle \(cycle)")
            if cycle == 1 { capacityAfterFirstCycle = index.statistics.slotCapacity }
            XCTAssertEqual(index.statistics.slotCapacity, capacityAfterFirstCycle, "slots are reused in cycle \(cycle)")

            let base = liveIDs.flatMap { pool.vectors[$0 % pool.vectors.count] }
            let truth = try ExactSearch.topK(queries: queries.flat, base: base, dimension: dimension, k: 10, metric: .cosine)
            var found = 0
            for (q, query) in queries.vectors.enumerated() {
                let hits = try index.search(query, k: 10, ef: 100)
                XCTAssertFalse(hits.contains { everDeleted.contains($0.id) }, "cycle \(cycle) returned a deleted id")
                let expected = Set(truth[q].map { "v\(liveIDs[$0.index])" })
                found += hits.filter { expected.contains($0.id) }.count
            }
            let recall = Double(found) / Double(queries.vectors.count * 10)
            XCTAssertGreaterThanOrEqual(recall, 0.95, "recall@10 after cycle \(cycle)")
        }
    }

    func testDeletedIDIsNeverReturned() throws {
        let data = ClusteredData(count: 2_000, dimension: 16, seed: 4)
        let index = HNSWIndex(configuration: HNSWConfiguration(dimension: 16, metric: .l2))
        for (i, vector) in data.vectors.enumerated() { try index.upsert(id: "v\(i)", vector: vector) }
        for i in stride(from: 0, to: 2_000, by: 2) { XCTAssertTrue(index.remove(id: "v\(i)")) }
        for i in stride(from: 0, to: 2_000, by: 50) {
            let hits = try index.search(data.vectors[i], k: 20)
            XCTAssertEqual(hits.count, 20)
            XCTAssertFalse(hits.contains { Int($0.id.dropFirst())! % 2 == 0 }, "query \(i) returned a deleted id")
            XCTAssertFalse(try index.exactSearch(data.vectors[i], k: 20).contains { Int($0.id.dropFirst())! % 2 == 0 })
        }
        try index.checkIntegrity()
    }

    func testRemovingEverythingEmptiesIndex() throws {
        let data = ClusteredData(count: 300, dimension: 8, seed: 9)
        let index = HNSWIndex(configuration: HNSWConfiguration(dimension: 8))
        for (i, vector) in data.vectors.enumerated() { try index.upsert(id: "v\(i)", vector: vector) }
        for i in 0..<300 { XCTAssertTrue(index.remove(id: "v\(i)")) }
        XCTAssertEqual(index.count, 0)
        XCTAssertEqual(try index.search(data.vectors[0], k: 5), [])
        try index.checkIntegrity()
        try index.upsert(id: "again", vector: data.vectors[1])
        XCTAssertEqual(try index.search(data.vectors[1], k: 5).map(\.id), ["again"])
        try index.checkIntegrity()
    }
}
