import LarderTensor
import LarderTestSupport
import XCTest

/// Checks the BLAS convolution kernels against a direct six-loop convolution.
final class Convolution2DTests: XCTestCase {
    private var generator = SeededGenerator(seed: 2)

    private func randomTensor(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in Float.random(in: -1...1, using: &generator) })
    }

    /// Direct convolution with explicit padding; depthwise when `groups > 1`.
    private func reference(_ input: Tensor, weight: Tensor, bias: [Float], stride: Int,
                           top: Int, left: Int, outputHeight: Int, outputWidth: Int, depthwise: Bool) -> Tensor {
        let (batch, channels, height, width) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        let (filters, kernelHeight, kernelWidth) = (weight.shape[0], weight.shape[2], weight.shape[3])
        var output = Tensor(shape: [batch, filters, outputHeight, outputWidth])
        for n in 0..<batch {
            for f in 0..<filters {
                for oy in 0..<outputHeight {
                    for ox in 0..<outputWidth {
                        var sum = bias[f]
                        for c in (depthwise ? f..<(f + 1) : 0..<channels) {
                            for ky in 0..<kernelHeight {
                                for kx in 0..<kernelWidth {
                                    let y = oy * stride + ky - top
                                    let x = ox * stride + kx - left
                                    guard y >= 0, y < height, x >= 0, x < width else { continue }
                                    let w = weight.scalars[((f * (depthwise ? 1 : channels) + (depthwise ? 0 : c)) * kernelHeight + ky) * kernelWidth + kx]
                                    sum += w * input.scalars[((n * channels + c) * height + y) * width + x]
                                }
                            }
                        }
                        output.scalars[((n * filters + f) * outputHeight + oy) * outputWidth + ox] = sum
                    }
                }
            }
        }
        return output
    }

    private func assertClose(_ a: Tensor, _ b: Tensor, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.shape, b.shape, message, file: file, line: line)
        let worst = zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThan(worst, 1e-4, message, file: file, line: line)
    }

    func testDenseMatchesDirectConvolution() {
        let cases: [(kernel: Int, stride: Int, pad: Int, height: Int, width: Int)] = [
            (3, 1, 1, 7, 9), (3, 2, 1, 8, 8), (1, 1, 0, 5, 6), (1, 2, 0, 7, 7), (7, 2, 3, 13, 11), (5, 1, 0, 6, 5),
        ]
        for item in cases {
            let input = randomTensor([2, 3, item.height, item.width])
            let weight = randomTensor([4, 3, item.kernel, item.kernel])
            let bias = (0..<4).map { Float($0) / 10 }
            let convolution = Convolution2D(weight: weight, bias: bias, stride: item.stride,
                                            padding: .explicit(top: item.pad, left: item.pad, bottom: item.pad, right: item.pad))
            let outputHeight = (item.height + 2 * item.pad - item.kernel) / item.stride + 1
            let outputWidth = (item.width + 2 * item.pad - item.kernel) / item.stride + 1
            let expected = reference(input, weight: weight, bias: bias, stride: item.stride, top: item.pad, left: item.pad,
                                     outputHeight: outputHeight, outputWidth: outputWidth, depthwise: false)
            assertClose(convolution(input), expected, "dense \(item)")
        }
    }

    func testDepthwiseSamePaddingMatchesDirect() {
        for (kernel, stride, size) in [(3, 1, 7), (3, 2, 8), (5, 2, 9), (5, 1, 4), (3, 2, 1)] {
            let input = randomTensor([2, 5, size, size + 1])
            let weight = randomTensor([5, 1, kernel, kernel])
            let bias = (0..<5).map { Float($0) }
            let convolution = Convolution2D(weight: weight, bias: bias, stride: stride, padding: .same, groups: 5)
            // TensorFlow SAME: output ceil(size / stride), extra padding at the bottom and right.
            let outputHeight = (size + stride - 1) / stride
            let outputWidth = (size + 1 + stride - 1) / stride
            let padHeight = max((outputHeight - 1) * stride + kernel - size, 0)
            let padWidth = max((outputWidth - 1) * stride + kernel - size - 1, 0)
            let expected = reference(input, weight: weight, bias: bias, stride: stride, top: padHeight / 2, left: padWidth / 2,
                                     outputHeight: outputHeight, outputWidth: outputWidth, depthwise: true)
            assertClose(convolution(input), expected, "depthwise k\(kernel) s\(stride) size \(size)")
        }
    }

    func testBatchNormFoldMatchesSeparateNorm() {
        let input = randomTensor([1, 3, 6, 6])
        let weight = randomTensor([4, 3, 3, 3])
        let norm = BatchNorm2D(weight: [1, 2, 0.5, -1], bias: [0.1, 0.2, 0.3, 0.4], runningMean: [0.5, -0.5, 0, 1],
                               runningVariance: [1, 4, 0.25, 2], epsilon: 1e-3)
        let plain = Convolution2D(weight: weight, stride: 1, padding: .same)
        var folded = plain
        folded.fold(norm)
        let raw = plain(input)
        var expected = raw
        let pixels = 36
        for channel in 0..<4 {
            let scale = norm.weight[channel] / (norm.runningVariance[channel] + norm.epsilon).squareRoot()
            for pixel in 0..<pixels {
                let index = channel * pixels + pixel
                expected.scalars[index] = (raw.scalars[index] - norm.runningMean[channel]) * scale + norm.bias[channel]
            }
        }
        assertClose(folded(input), expected, "folded batch norm")
    }
}

final class Pooling2DTests: XCTestCase {
    func testGlobalAverage() {
        let input = Tensor(shape: [2, 2, 1, 3], scalars: [1, 2, 3, 4, 5, 6, -1, -2, -3, 0, 0, 9])
        XCTAssertEqual(Pooling2D.globalAverage(input).shape, [2, 2])
        XCTAssertEqual(Pooling2D.globalAverage(input).scalars, [2, 5, -2, 3])
    }

    func testMaxPoolIgnoresPadding() {
        // 3x3 kernel, stride 2, padding 1 as in ResNet's stem; all values negative.
        let input = Tensor(shape: [1, 1, 4, 4], scalars: (0..<16).map { -Float($0) - 1 })
        let output = Pooling2D.max(input, kernel: 3, stride: 2, padding: 1)
        XCTAssertEqual(output.shape, [1, 1, 2, 2])
        XCTAssertEqual(output.scalars, [-1, -2, -5, -6])
    }

    func testAveragePoolCountsPadding() {
        let input = Tensor(shape: [1, 1, 2, 2], scalars: [4, 4, 4, 4])
        let output = Pooling2D.average(input, kernel: 2, stride: 2, padding: 1)
        XCTAssertEqual(output.shape, [1, 1, 2, 2])
        XCTAssertEqual(output.scalars, [1, 1, 1, 1])
    }

    func testReLU6Clamps() {
        var tensor = Tensor(shape: [4], scalars: [-1, 3, 6, 7.5])
        tensor.applyReLU6()
        XCTAssertEqual(tensor.scalars, [0, 3, 6, 6])
    }
}
