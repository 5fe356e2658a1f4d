import LarderTensor
import XCTest

final class ActivationTests: XCTestCase {
    func testReLU() {
        XCTAssertEqual(Tensor(shape: [4], scalars: [-2, -0.0, 0.5, 3]).relu().scalars, [0, 0, 0.5, 3])
    }

    func testGELUErfForm() {
        // x·Φ(x) with the standard normal CDF Φ: Φ(1) = 0.8413447, Φ(-1) = 0.1586553, Φ(2) = 0.9772499.
        let output = Tensor(shape: [4], scalars: [1, -1, 2, 0]).gelu()
        assertClose(output.scalars, [0.8413447, -0.1586553, 1.9544997, 0], tolerance: 1e-6)
    }

    func testTanh() {
        assertClose(Tensor(shape: [3], scalars: [0, 0.5, -2]).tanh().scalars,
                    [0, 0.46211716, -0.96402758], tolerance: 1e-6)
    }

    func testSoftmaxRows() {
        let output = Tensor(shape: [2, 3], scalars: [1, 2, 3, 1000, 1000, 1000]).softmax()
        // e^-2, e^-1, 1 normalized: 0.09003057, 0.24472847, 0.66524096.
        assertClose(output.scalars, [0.09003057, 0.24472847, 0.66524096, 1 / 3, 1 / 3, 1 / 3], tolerance: 1e-6)
    }

    func testSoftmaxMaskedRowIsZero() {
        let output = Tensor(shape: [1, 2], scalars: [-.infinity, -.infinity]).softmax()
        XCTAssertEqual(output.scalars, [0, 0])
    }
}
