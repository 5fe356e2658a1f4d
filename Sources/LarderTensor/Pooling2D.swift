import CBLAS

/// Pooling over the spatial dimensions of NCHW tensors, as
/// `torch.nn.functional.max_pool2d`, `avg_pool2d` and `adaptive_avg_pool2d(x, 1)`.
public enum Pooling2D {
    /// Averages each channel over all pixels: `[N, C, H, W]` to `[N, C]`.
    public static func globalAverage(_ input: Tensor) -> Tensor {
        precondition(input.rank == 4, "global average pooling expects [batch, channels, height, width], got \(input.shape)")
        let planes = input.shape[0] * input.shape[1]
        let pixels = input.shape[2] * input.shape[3]
        var output = Tensor(shape: [input.shape[0], input.shape[1]])
        guard pixels > 0 else { return output }
        // One matrix-vector product: [planes, pixels] x ones(pixels) / pixels.
        let ones = [Float](repeating: 1, count: pixels)
        input.scalars.withUnsafeBufferPointer { source in
            output.scalars.withUnsafeMutableBufferPointer { destination in
                cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(planes), Int32(pixels), 1 / Float(pixels),
                            source.baseAddress!, Int32(pixels), ones, 1, 0, destination.baseAddress!, 1)
            }
        }
        return output
    }

    /// Max pooling with a square `kernel`, `stride` and symmetric zero-free
    /// `padding` (padded cells never win, as in PyTorch).
    public static func max(_ input: Tensor, kernel: Int, stride: Int, padding: Int = 0) -> Tensor {
        pool(input, kernel: kernel, stride: stride, padding: padding, initial: -.infinity, combine: Swift.max, finish: { value, _ in value })
    }

    /// Average pooling with a square `kernel`, `stride` and symmetric zero
    /// `padding`; padded cells count in the divisor (`count_include_pad=True`, PyTorch's default).
    public static func average(_ input: Tensor, kernel: Int, stride: Int, padding: Int = 0) -> Tensor {
        let area = Float(kernel * kernel)
        return pool(input, kernel: kernel, stride: stride, padding: padding, initial: 0, combine: +, finish: { sum, _ in sum / area })
    }

    private static func pool(_ input: Tensor, kernel: Int, stride: Int, padding: Int, initial: Float,
                             combine: (Float, Float) -> Float, finish: (Float, Int) -> Float) -> Tensor {
        precondition(input.rank == 4, "pooling expects [batch, channels, height, width], got \(input.shape)")
        precondition(kernel >= 1 && stride >= 1 && padding >= 0 && padding <= kernel / 2,
                     "invalid pooling kernel \(kernel), stride \(stride), padding \(padding)")
        let (planes, height, width) = (input.shape[0] * input.shape[1], input.shape[2], input.shape[3])
        let outputHeight = (height + 2 * padding - kernel) / stride + 1
        let outputWidth = (width + 2 * padding - kernel) / stride + 1
        precondition(outputHeight > 0 && outputWidth > 0, "pooling input \(height)x\(width) is smaller than its kernel \(kernel)")
        var output = Tensor(shape: [input.shape[0], input.shape[1], outputHeight, outputWidth])
        input.scalars.withUnsafeBufferPointer { source in
            output.scalars.withUnsafeMutableBufferPointer { destination in
                for plane in 0..<planes {
                    let from = source.baseAddress! + plane * height * width
                    let to = destination.baseAddress! + plane * outputHeight * outputWidth
                    for oy in 0..<outputHeight {
                        let rows = Swift.max(oy * stride - padding, 0)..<Swift.min(oy * stride - padding + kernel, height)
                        for ox in 0..<outputWidth {
                            let columns = Swift.max(ox * stride - padding, 0)..<Swift.min(ox * stride - padding + kernel, width)
                            var value = initial
                            for y in rows {
                                for x in columns { value = combine(value, from[y * width + x]) }
                            }
                            to[oy * outputWidth + ox] = finish(value, rows.count * columns.count)
                        }
                    }
                }
            }
        }
        return output
    }
}
