import CBLAS
import Foundation

// MARK: - Ordinary convolution (im2col + sgemm)

extension Convolution2D {
    /// Convolves one image with `groups == 1`: `output[outC, pixels] = weight[outC, inC*kh*kw] x columns + bias`.
    func forwardDense(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, height: Int, width: Int,
                      geometry: (top: Int, left: Int, outputHeight: Int, outputWidth: Int)) {
        let (kernelHeight, kernelWidth) = kernelSize
        let pixels = geometry.outputHeight * geometry.outputWidth
        let depth = inputChannels * kernelHeight * kernelWidth
        for channel in 0..<outputChannels {
            (output + channel * pixels).update(repeating: bias[channel], count: pixels)
        }

        let isPointwise = kernelHeight == 1 && kernelWidth == 1 && stride == 1 && geometry.top == 0 && geometry.left == 0
            && geometry.outputHeight == height && geometry.outputWidth == width
        weight.scalars.withUnsafeBufferPointer { filters in
            if isPointwise {
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(outputChannels), Int32(pixels), Int32(depth),
                            1, filters.baseAddress!, Int32(depth), input, Int32(pixels), 1, output, Int32(pixels))
                return
            }
            var columns = [Float](repeating: 0, count: depth * pixels)
            columns.withUnsafeMutableBufferPointer { buffer in
                unfold(input, into: buffer.baseAddress!, height: height, width: width, geometry: geometry)
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(outputChannels), Int32(pixels), Int32(depth),
                            1, filters.baseAddress!, Int32(depth), buffer.baseAddress!, Int32(pixels), 1, output, Int32(pixels))
            }
        }
    }

    /// Writes the im2col matrix `[inC * kh * kw, outH * outW]`; out-of-image taps stay zero.
    private func unfold(_ input: UnsafePointer<Float>, into columns: UnsafeMutablePointer<Float>, height: Int, width: Int,
                        geometry: (top: Int, left: Int, outputHeight: Int, outputWidth: Int)) {
        let (kernelHeight, kernelWidth) = kernelSize
        let (outputHeight, outputWidth) = (geometry.outputHeight, geometry.outputWidth)
        var row = 0
        for channel in 0..<inputChannels {
            let plane = input + channel * height * width
            for ky in 0..<kernelHeight {
                for kx in 0..<kernelWidth {
                    let destination = columns + row * outputHeight * outputWidth
                    let (first, last) = validRange(offset: kx - geometry.left, size: width, outputs: outputWidth)
                    for oy in 0..<outputHeight {
                        let y = oy * stride + ky - geometry.top
                        guard y >= 0, y < height, first < last else { continue }
                        let sourceRow = plane + y * width + kx - geometry.left
                        let destinationRow = destination + oy * outputWidth
                        if stride == 1 {
                            (destinationRow + first).update(from: sourceRow + first, count: last - first)
                        } else {
                            cblas_scopy(Int32(last - first), sourceRow + first * stride, Int32(stride), destinationRow + first, 1)
                        }
                    }
                    row += 1
                }
            }
        }
    }

    /// Output columns `first..<last` whose input column `o * stride + offset` lies in `0..<size`.
    func validRange(offset: Int, size: Int, outputs: Int) -> (Int, Int) {
        // Smallest o with o * stride + offset >= 0, and one past the largest with o * stride + offset < size.
        let first = offset >= 0 ? 0 : (-offset + stride - 1) / stride
        let last = size - offset <= 0 ? 0 : min(outputs, (size - offset - 1) / stride + 1)
        return (first, max(first, last))
    }
}

// MARK: - Depthwise convolution

extension Convolution2D {
    /// Convolves one image with one filter per channel, one kernel tap at a time.
    func forwardDepthwise(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, height: Int, width: Int,
                          geometry: (top: Int, left: Int, outputHeight: Int, outputWidth: Int)) {
        let (kernelHeight, kernelWidth) = kernelSize
        let (outputHeight, outputWidth) = (geometry.outputHeight, geometry.outputWidth)
        let pixels = outputHeight * outputWidth
        let channels = outputChannels
        let stride = self.stride
        let outputAddress = UInt(bitPattern: output)
        let inputAddress = UInt(bitPattern: input)
        weight.scalars.withUnsafeBufferPointer { filters in
            let filterAddress = UInt(bitPattern: filters.baseAddress!)
            // Channels are independent, so they run in parallel; each task writes only its own plane.
            DispatchQueue.concurrentPerform(iterations: channels) { channel in
                let plane = UnsafePointer<Float>(bitPattern: inputAddress)! + channel * height * width
                let destination = UnsafeMutablePointer<Float>(bitPattern: outputAddress)! + channel * pixels
                let taps = UnsafePointer<Float>(bitPattern: filterAddress)! + channel * kernelHeight * kernelWidth
                destination.update(repeating: bias[channel], count: pixels)
                for ky in 0..<kernelHeight {
                    for kx in 0..<kernelWidth {
                        let tap = taps[ky * kernelWidth + kx]
                        let (first, last) = validRange(offset: kx - geometry.left, size: width, outputs: outputWidth)
                        guard first < last else { continue }
                        for oy in 0..<outputHeight {
                            let y = oy * stride + ky - geometry.top
                            guard y >= 0, y < height else { continue }
                            let sourceRow = plane + y * width + kx - geometry.left
                            cblas_saxpy(Int32(last - first), tap, sourceRow + first * stride, Int32(stride),
                                        destination + oy * outputWidth + first, 1)
                        }
                    }
                }
            }
        }
    }
}
