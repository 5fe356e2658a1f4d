import LarderTensor
import LarderTestSupport
import XCTest

/// Returns a tensor of `shape` filled with uniform values in -1...1 from a fixed seed.
func randomTensor(_ shape: [Int], seed: UInt64) -> Tensor {
    var generator = SeededGenerator(seed: seed)
    let count = shape.reduce(1, *)
    return Tensor(shape: shape, scalars: (0..<count).map { _ in Float.random(in: -1...1, using: &generator) })
}

/// Asserts that two arrays have the same length and agree elementwise within `tolerance`.
func assertClose(_ actual: [Float], _ expected: [Float], tolerance: Float = 1e-5,
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, "element count", file: file, line: line)
    for (index, (a, e)) in zip(actual, expected).enumerated() where !(abs(a - e) <= tolerance * max(1, abs(e))) {
        XCTFail("element \(index): got \(a), expected \(e)", file: file, line: line)
        return
    }
}
