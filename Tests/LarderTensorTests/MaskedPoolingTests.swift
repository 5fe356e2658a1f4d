import LarderTensor
import XCTest

final class MaskedPoolingTests: XCTestCase {
    func testMeanOfValidPositionsOnly() {
        // Two sequences of three positions with two features.
        let input = Tensor(shape: [2, 3, 2], scalars: [1, 2, 3, 4, 100, 100,
                                                       5, 6, 7, 8, 9, 10])
        let output = input.maskedMean(valid: [true, true, false, true, true, true])
        assertClose(output.scalars, [2, 3, 7, 8], tolerance: 1e-6)
    }

    func testNoValidPositionGivesZeros() {
        let input = Tensor(shape: [1, 2, 3], repeating: 5)
        XCTAssertEqual(input.maskedMean(valid: [false, false]).scalars, [0, 0, 0])
    }
}
