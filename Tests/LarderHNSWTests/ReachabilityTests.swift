@testable import LarderHNSW
import XCTest

/// The integrity check finds nodes without an incoming path, and the repair
/// pass that runs after purges and bulk inserts links them back.
final class ReachabilityTests: XCTestCase {
    /// Removes every layer-0 link that points at `slot`; returns how many were removed.
    func strand(_ slot: Int, in graph: HNSWGraph) -> Int {
        var removed = 0
        for other in 0..<graph.highWater where graph.storage.level(other) >= 0 {
            let list = graph.storage.links(other, layer: 0)
            let kept = (0..<Int(list[0])).map { list[1 + $0] }.filter { Int($0) != slot }
            removed += Int(list[0]) - kept.count
            list[0] = UInt32(kept.count)
            for (i, link) in kept.enumerated() { list[1 + i] = link }
        }
        return removed
    }

    func testStrandedNodesAreFoundAndRelinked() throws {
        let data = ClusteredData(count: 2_000, dimension: 16, seed: 17)
        let index = HNSWIndex(configuration: HNSWConfiguration(dimension: 16, m: 8))
        try index.bulkInsert(data.vectors.enumerated().map { (id: "v\($0.offset)", vector: $0.element) }, threads: 2)
        try index.checkIntegrity()

        let graph = index.graph
        let victims = [5, 700, 1_999].map { graph.slot(of: "v\($0)")! }.filter { $0 != graph.entryPoint }
        for victim in victims { XCTAssertGreaterThan(strand(victim, in: graph), 0) }
        XCTAssertThrowsError(try index.checkIntegrity()) { error in
            guard case .integrityViolation(.unreachable)? = error as? HNSWError else { return XCTFail("\(error)") }
        }

        let scratch = graph.scratchPool.acquire(capacity: graph.storage.capacity, linkCapacity: graph.storage.layer0Stride)
        graph.repairReachability(scratch: scratch)
        graph.scratchPool.release(scratch)
        XCTAssertNoThrow(try index.checkIntegrity())
        XCTAssertEqual(try index.search(data.vectors[700], k: 1).first?.id, "v700")
    }
}
