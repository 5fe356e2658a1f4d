import LarderTensor
import XCTest

final class LayerNormTests: XCTestCase {
    func testHandComputedValues() {
        // Row [1, 2, 3, 4]: mean 2.5, biased variance 1.25.
        let norm = LayerNorm(weight: Tensor(shape: [4], scalars: [1, 1, 2, 1]),
                             bias: Tensor(shape: [4], scalars: [0, 0, 0, 1]), epsilon: 0)
        let output = norm(Tensor(shape: [1, 4], scalars: [1, 2, 3, 4]))
        let s = 1 / Float(1.25).squareRoot()
        assertClose(output.scalars, [-1.5 * s, -0.5 * s, 2 * 0.5 * s, 1.5 * s + 1])
    }

    func testRowsHaveZeroMeanUnitVariance() {
        let size = 37
        let norm = LayerNorm(weight: Tensor(shape: [size], repeating: 1), bias: Tensor(shape: [size]))
        let output = norm(randomTensor([5, size], seed: 9))
        for row in 0..<5 {
            let values = output.scalars[(row * size)..<((row + 1) * size)]
            let mean = values.reduce(0, +) / Float(size)
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(size)
            XCTAssertEqual(mean, 0, accuracy: 1e-5)
            XCTAssertEqual(variance, 1, accuracy: 1e-3)
        }
    }

    func testEpsilonKeepsConstantRowFinite() {
        let norm = LayerNorm(weight: Tensor(shape: [3], repeating: 1), bias: Tensor(shape: [3], repeating: 0.25))
        XCTAssertEqual(norm(Tensor(shape: [1, 3], repeating: 7)).scalars, [0.25, 0.25, 0.25])
    }
}
