import LarderTensor
import XCTest

final class EmbeddingTests: XCTestCase {
    func testLookupCopiesRows() {
        let table = Embedding(weight: Tensor(shape: [3, 2], scalars: [0, 0, 1, 2, 3, 4]))
        let output = table([2, 0, 2, 1])
        XCTAssertEqual(output.shape, [4, 2])
        XCTAssertEqual(output.scalars, [3, 4, 0, 0, 3, 4, 1, 2])
        XCTAssertEqual(table([]).shape, [0, 2])
    }
}
