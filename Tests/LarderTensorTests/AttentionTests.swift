import Foundation
import LarderTensor
import XCTest

final class AttentionTests: XCTestCase {
    /// Scaled dot-product attention written out with loops, one query at a time.
    private func naiveAttention(_ layer: MultiheadAttention, _ input: Tensor, valid: [Bool]) -> [Float] {
        let batch = input.shape[0], length = input.shape[1], model = layer.modelSize
        let heads = layer.headCount, headSize = model / heads
        let packed = layer.inputProjection(input).scalars
        var context = [Float](repeating: 0, count: batch * length * model)
        for b in 0..<batch {
            for h in 0..<heads {
                for q in 0..<length {
                    var weights = [Float](repeating: 0, count: length)
                    for k in 0..<length where valid[b * length + k] {
                        var dot: Float = 0
                        for d in 0..<headSize {
                            dot += packed[(b * length + q) * 3 * model + h * headSize + d]
                                * packed[(b * length + k) * 3 * model + model + h * headSize + d]
                        }
                        weights[k] = exp(dot / Float(headSize).squareRoot())
                    }
                    let total = weights.reduce(0, +)
                    for k in 0..<length where total > 0 {
                        for d in 0..<headSize {
                            context[(b * length + q) * model + h * headSize + d] += weights[k] / total
                                * packed[(b * length + k) * 3 * model + 2 * model + h * headSize + d]
                        }
                    }
                }
            }
        }
        return layer.outputProjection(Tensor(shape: [batch, length, model], scalars: context)).scalars
    }

    private func makeLayer(model: Int, heads: Int) -> MultiheadAttention {
        MultiheadAttention(
            inputProjection: Linear(weight: randomTensor([3 * model, model], seed: 11),
                                    bias: randomTensor([3 * model], seed: 12)),
            outputProjection: Linear(weight: randomTensor([model, model], seed: 13),
                                     bias: randomTensor([model], seed: 14)),
            headCount: heads)
    }

    func testMatchesNaiveWithPadding() {
        let layer = makeLayer(model: 8, heads: 2)
        let input = randomTensor([3, 4, 8], seed: 15)
        let valid = [true, true, true, true,
                     true, true, false, false,
                     true, false, false, false]
        let output = layer(input, validKeys: valid)
        XCTAssertEqual(output.shape, [3, 4, 8])
        assertClose(output.scalars, naiveAttention(layer, input, valid: valid))
    }

    func testPaddingDoesNotChangeValidOutputs() {
        let layer = makeLayer(model: 8, heads: 4)
        let short = randomTensor([1, 2, 8], seed: 16)
        var padded = short
        padded.shape = [1, 3, 8]
        padded.scalars += randomTensor([8], seed: 17).scalars
        let alone = layer(short)
        let withPadding = layer(padded, validKeys: [true, true, false])
        assertClose(Array(withPadding.scalars[0..<16]), alone.scalars)
    }

    func testFullyMaskedQueryGivesOutputBias() {
        let layer = makeLayer(model: 4, heads: 1)
        let output = layer(randomTensor([1, 2, 4], seed: 18), validKeys: [false, false])
        assertClose(output.scalars, layer.outputProjection.bias!.scalars + layer.outputProjection.bias!.scalars)
    }
}
