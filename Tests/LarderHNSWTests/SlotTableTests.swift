@testable import LarderHNSW
import LarderTestSupport
import XCTest

/// The id-to-slot hash table against a `Dictionary` under random inserts and removals.
final class SlotTableTests: XCTestCase {
    func testMatchesDictionaryUnderChurn() {
        var generator = SeededGenerator(seed: 3)
        var table = SlotTable()
        var ids: [String] = []
        var expected: [String: Int] = [:]
        var freeSlots: [Int] = []

        for step in 0..<20_000 {
            if expected.isEmpty || Int.random(in: 0..<3, using: &generator) > 0 {
                let id = "id\(Int.random(in: 0..<5_000, using: &generator))"
                guard expected[id] == nil else { continue }
                let slot = freeSlots.popLast() ?? ids.count
                if slot == ids.count { ids.append("") }
                ids[slot] = id
                table.insert(slot, ids: ids)
                expected[id] = slot
            } else {
                let id = expected.keys.randomElement(using: &generator)!
                let slot = expected.removeValue(forKey: id)!
                XCTAssertEqual(table.remove(id, ids: ids), slot, "step \(step)")
                ids[slot] = ""
                freeSlots.append(slot)
            }
        }

        XCTAssertEqual(table.count, expected.count)
        for (id, slot) in expected { XCTAssertEqual(table.slot(of: id, ids: ids), slot, id) }
        XCTAssertNil(table.slot(of: "absent", ids: ids))
        XCTAssertNil(table.remove("absent", ids: ids))
        XCTAssertEqual(Set(table.slots), Set(expected.values))
    }
}
