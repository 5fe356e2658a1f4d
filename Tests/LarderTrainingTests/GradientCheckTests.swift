import LarderModels
import LarderTensor
@testable import LarderTraining
import XCTest

/// Compares every operation's backward pass with central finite differences
/// of a random linear function of its output.
final class GradientCheckTests: XCTestCase {
    private var generator = SplitMix64(seed: 42)

    private func random(_ shape: [Int], scale: Float = 1, offset: Float = 0) -> Variable {
        let count = shape.reduce(1, *)
        let scalars = (0..<count).map { _ in generator.nextGaussian() * scale + offset }
        return Variable(Tensor(shape: shape, scalars: scalars), requiresGradient: true)
    }

    /// Checks d(Σ wᵢ · fᵢ)/dx for every element of every input, with fixed random weights w.
    private func checkGradients(_ inputs: [Variable], step: Float = 1e-2,
                                file: StaticString = #filePath, line: UInt = #line,
                                _ function: ([Variable]) -> Variable) {
        let probe = function(inputs)
        let count = probe.value.count
        let weights = Variable(Tensor(shape: [1, count], scalars: (0..<count).map { _ in generator.nextGaussian() }))
        func loss() -> Variable {
            function(inputs).reshaped([1, count]).linear(weight: weights, bias: nil)
        }
        for input in inputs { input.zeroGradient() }
        loss().backward()
        for (inputIndex, input) in inputs.enumerated() {
            let analytic = input.grad ?? [Float](repeating: 0, count: input.value.count)
            for index in 0..<input.value.count {
                let original = input.value.scalars[index]
                input.value.scalars[index] = original + step
                let plus = loss().value.scalars[0]
                input.value.scalars[index] = original - step
                let minus = loss().value.scalars[0]
                input.value.scalars[index] = original
                let numeric = (plus - minus) / (2 * step)
                let tolerance = 5e-3 + 2e-2 * abs(numeric)
                XCTAssertEqual(analytic[index], numeric, accuracy: tolerance,
                               "input \(inputIndex) element \(index)", file: file, line: line)
            }
        }
    }

    func testMatmul() {
        checkGradients([random([3, 4]), random([4, 5])]) { $0[0].matmul($0[1]) }
        checkGradients([random([3, 4]), random([5, 4])]) { $0[0].matmul($0[1], transposeB: true) }
    }

    func testLinear() {
        checkGradients([random([2, 3, 4]), random([5, 4]), random([5])]) {
            $0[0].linear(weight: $0[1], bias: $0[2])
        }
        checkGradients([random([3, 4]), random([2, 4])]) { $0[0].linear(weight: $0[1], bias: nil) }
    }

    func testBatchedMatmul() {
        checkGradients([random([2, 3, 4]), random([2, 4, 3])]) { $0[0].batchedMatmul($0[1]) }
        checkGradients([random([2, 3, 4]), random([2, 5, 4])]) { $0[0].batchedMatmul($0[1], transposeB: true) }
    }

    func testBroadcastAddAndScale() {
        checkGradients([random([2, 3, 4]), random([3, 4])]) { $0[0].adding($0[1]) }
        checkGradients([random([2, 3]), random([3])]) { $0[0].adding($0[1]).scaled(by: -0.5) }
    }

    func testEmbedding() {
        let ids: [Int32] = [0, 2, 2, 1, 4, 0]
        checkGradients([random([5, 3])]) { Variable.embedding(ids: ids, shape: [2, 3], table: $0[0]) }
    }

    func testLayerNorm() {
        checkGradients([random([3, 6], scale: 2, offset: 1), random([6], offset: 1), random([6])]) {
            $0[0].layerNorm(gamma: $0[1], beta: $0[2])
        }
    }

    func testMaskedSoftmax() {
        let keep: [Bool] = [true, false, true, true, true, true, false, true]
        checkGradients([random([2, 2, 4])]) { inputs in
            inputs[0].maskedSoftmax { row, column in keep[(row / 2) * 4 + column] }
        }
        let probabilities = random([2, 2, 4]).maskedSoftmax { row, column in keep[(row / 2) * 4 + column] }
        XCTAssertEqual(probabilities.value.scalars[1], 0)
        XCTAssertEqual(probabilities.value.scalars[0...3].reduce(0, +), 1, accuracy: 1e-6)
    }

    func testReluAndTanh() {
        // Values at least 0.1 away from zero keep the finite differences off ReLU's kink.
        let x = random([4, 5])
        x.value.scalars = x.value.scalars.map { $0 + ($0 >= 0 ? 0.1 : -0.1) }
        checkGradients([x]) { $0[0].relu() }
        checkGradients([random([4, 5])]) { $0[0].tanh() }
    }

    func testMaskedMeanPool() {
        let mask: [Bool] = [true, true, false, false, false, false, true, false, true]
        checkGradients([random([3, 3, 4])]) { $0[0].maskedMeanPool(mask: mask) }
        let pooled = Variable(Tensor(shape: [1, 2, 1], scalars: [2, 6])).maskedMeanPool(mask: [true, true])
        XCTAssertEqual(pooled.value.scalars, [4])
    }

    func testConcatenationAndSlicing() {
        checkGradients([random([2, 3]), random([2, 1]), random([2, 2])]) { Variable.concatenated($0) }
        checkGradients([random([6, 2])]) { $0[0].slicedRows(2..<5) }
    }

    func testSwappingMiddleAxes() {
        checkGradients([random([2, 3, 2, 2])]) { $0[0].swappingMiddleAxes() }
    }

    func testL2NormalizationAndCosine() {
        checkGradients([random([3, 4])]) { $0[0].l2Normalized() }
        checkGradients([random([3, 4]), random([2, 4])]) { $0[0].cosineSimilarity($0[1]) }
    }

    func testMultiHeadSelfAttention() {
        let width = 4
        let mask: [Bool] = [true, true, false, true, true, true]
        checkGradients([random([2, 3, width]), random([3 * width, width], scale: 0.5), random([3 * width]),
                        random([width, width], scale: 0.5), random([width])]) { inputs in
            let weights = AttentionWeights(inProjectionWeight: inputs[1], inProjectionBias: inputs[2],
                                           outProjectionWeight: inputs[3], outProjectionBias: inputs[4])
            return inputs[0].multiHeadSelfAttention(weights, heads: 2, keyMask: mask)
        }
    }

    func testTripletLoss() {
        checkGradients([random([5, 3]), random([5, 3])]) { TripletLoss(margin: 0.3)($0[0], $0[1]) }
    }

    func testRecipeLoss() {
        let components = RecipeComponent.allCases
        checkGradients([random([4, 3]), random([4, 3]), random([4, 3]), random([3, 3]), random([3])]) { inputs in
            let vectors = Dictionary(uniqueKeysWithValues: zip(components, inputs[0..<3]))
            // One shared head keeps the check small; the trainer has one head per ordered pair.
            return RecipeLoss(margin: 0.3)(components: vectors) { _, _, vector in
                vector.linear(weight: inputs[3], bias: inputs[4])
            }
        }
    }
}
