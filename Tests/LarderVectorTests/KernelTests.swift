import LarderTestSupport
import LarderVector
import XCTest

final class KernelTests: XCTestCase {
    func randomVector(_ count: Int, _ generator: inout SeededGenerator) -> [Float] {
        (0..<count).map { _ in Float.random(in: -2...2, using: &generator) }
    }

    func testKernelsMatchScalarLoops() {
        var generator = SeededGenerator(seed: 1)
        for count in [1, 3, 15, 16, 17, 31, 32, 33, 100, 128, 1024] {
            let a = randomVector(count, &generator)
            let b = randomVector(count, &generator)
            let dot = zip(a, b).reduce(Float(0)) { $0 + $1.0 * $1.1 }
            let l2 = zip(a, b).reduce(Float(0)) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
            let tolerance = 1e-4 * Float(count)
            XCTAssertEqual(VectorKernels.dot(a, b, count: count), dot, accuracy: tolerance, "dot, \(count) components")
            XCTAssertEqual(VectorKernels.squaredL2(a, b, count: count), l2, accuracy: tolerance, "l2, \(count) components")
        }
    }

    func testInt8QuantizationErrorIsBounded() {
        var generator = SeededGenerator(seed: 2)
        for count in [5, 16, 130] {
            let vector = randomVector(count, &generator)
            var codes = [Int8](repeating: 0, count: count)
            let scale = Int8Quantizer.quantize(vector, count: count, into: &codes)
            let maxMagnitude = vector.map(abs).max()!
            XCTAssertEqual(scale, maxMagnitude / 127, accuracy: 1e-7)
            for i in 0..<count {
                XCTAssertLessThanOrEqual(abs(Float(codes[i]) * scale - vector[i]), scale / 2 + 1e-6)
            }
            let query = randomVector(count, &generator)
            let exact = zip(query, vector).reduce(Float(0)) { $0 + $1.0 * $1.1 }
            let approximate = scale * VectorKernels.dot(query, int8: codes, count: count)
            XCTAssertEqual(approximate, exact, accuracy: Float(count) * 2 * scale / 2 + 1e-4)
        }
    }

    func testInt8OfZeroVectorIsZero() {
        var codes = [Int8](repeating: 5, count: 4)
        XCTAssertEqual(Int8Quantizer.quantize([0, 0, 0, 0], count: 4, into: &codes), 0)
        XCTAssertEqual(codes, [0, 0, 0, 0])
    }

    func testTopKHeapKeepsSmallest() {
        var heap = TopKHeap(capacity: 3)
        for (index, distance) in [(0, 5.0), (1, 1.0), (2, 4.0), (3, 0.5), (4, 9.0), (5, 2.0)] as [(Int, Float)] {
            heap.insert(index: index, distance: distance)
        }
        XCTAssertEqual(heap.sorted().map(\.index), [3, 1, 5])
        XCTAssertEqual(heap.threshold, 2)
    }
}

/// The kernels picked for this CPU (AVX2/FMA where available) against the portable Swift kernels.
final class HostKernelTests: XCTestCase {
    /// Every instruction set this CPU supports (AVX2, AVX-512) computes what the Swift kernels compute.
    func testHostKernelsMatchPortableKernels() {
        var generator = SeededGenerator(seed: 4)
        let portable = HostKernels.portable
        XCTAssertEqual(HostKernels.current.instructionSet, HostKernels.supported.last?.instructionSet)
        for host in HostKernels.supported {
            let name = host.instructionSet.rawValue
            for count in [1, 7, 16, 17, 31, 32, 33, 48, 64, 128, 130, 1024] {
                let a = (0..<count).map { _ in Float.random(in: -2...2, using: &generator) }
                let b = (0..<count).map { _ in Float.random(in: -2...2, using: &generator) }
                let codes = (0..<count).map { _ in Int8.random(in: -127...127, using: &generator) }
                let tolerance = 1e-4 * Float(count)
                XCTAssertEqual(host.dot(a, b, count: count), portable.dot(a, b, count: count),
                               accuracy: tolerance, "dot, \(count) components, \(name)")
                XCTAssertEqual(host.squaredL2(a, b, count: count), portable.squaredL2(a, b, count: count),
                               accuracy: tolerance, "l2, \(count) components, \(name)")
                XCTAssertEqual(host.dot(a, int8: codes, count: count), portable.dot(a, int8: codes, count: count),
                               accuracy: tolerance * 127, "int8 dot, \(count) components, \(name)")
            }
        }
    }
}
