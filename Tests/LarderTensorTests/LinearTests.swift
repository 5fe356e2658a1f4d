import LarderTensor
import XCTest

final class LinearTests: XCTestCase {
    func testHandComputedValues() {
        let layer = Linear(weight: Tensor(shape: [2, 3], scalars: [1, 2, 3, -1, 0, 1]),
                           bias: Tensor(shape: [2], scalars: [0.5, -0.5]))
        let output = layer(Tensor(shape: [2, 3], scalars: [1, 1, 1, 2, 0, -1]))
        XCTAssertEqual(output.shape, [2, 2])
        // Row 1: [1+2+3+0.5, -1+0+1-0.5]; row 2: [2-3+0.5, -2-1-0.5].
        XCTAssertEqual(output.scalars, [6.5, -0.5, -0.5, -3.5])
    }

    func testBatchedMatchesNaiveProduct() {
        let weight = randomTensor([7, 5], seed: 1), bias = randomTensor([7], seed: 2)
        let input = randomTensor([3, 4, 5], seed: 3)
        let output = Linear(weight: weight, bias: bias)(input)
        XCTAssertEqual(output.shape, [3, 4, 7])
        var expected = [Float]()
        for row in 0..<12 {
            for out in 0..<7 {
                var sum = bias.scalars[out]
                for k in 0..<5 { sum += input.scalars[row * 5 + k] * weight.scalars[out * 5 + k] }
                expected.append(sum)
            }
        }
        assertClose(output.scalars, expected)
    }

    func testWithoutBiasAndEmptyBatch() {
        let layer = Linear(weight: Tensor(shape: [1, 2], scalars: [2, 3]), bias: nil)
        XCTAssertEqual(layer(Tensor(shape: [1, 2], scalars: [1, 1])).scalars, [5])
        XCTAssertEqual(layer(Tensor(shape: [0, 2])).shape, [0, 1])
    }
}
