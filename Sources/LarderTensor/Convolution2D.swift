import CBLAS
import Foundation

/// A 2-D convolution over NCHW tensors, as `torch.nn.Conv2d` computes it
/// (cross-correlation), for ordinary (`groups == 1`) and depthwise
/// (`groups == channels`) layers.
///
/// Ordinary convolutions unfold the input into columns (im2col) and multiply
/// by the weight matrix with `cblas_sgemm`; 1x1 stride-1 convolutions skip the
/// unfolding. Depthwise convolutions accumulate one kernel tap at a time along
/// output rows with `cblas_saxpy`, whose increment handles the stride.
public struct Convolution2D: Sendable {
    /// Zero padding added around the input, in pixels.
    public enum Padding: Sendable, Equatable {
        /// Fixed padding on each side, as `padding=` in `torch.nn.Conv2d`.
        case explicit(top: Int, left: Int, bottom: Int, right: Int)
        /// TensorFlow's `SAME` padding: the output has `ceil(input / stride)`
        /// pixels, and an odd total padding puts the extra pixel at the bottom
        /// and right.
        case same
    }

    /// Filters, shaped `[outputChannels, inputChannels / groups, kernelHeight, kernelWidth]`.
    public private(set) var weight: Tensor
    /// One bias per output channel.
    public private(set) var bias: [Float]
    /// Step between kernel positions, in pixels, for both axes.
    public let stride: Int
    /// Padding rule.
    public let padding: Padding
    /// 1 for an ordinary convolution, or the channel count for a depthwise one.
    public let groups: Int

    /// Creates a convolution; `bias` defaults to zeros.
    /// - Precondition: `groups` is 1, or equals both channel counts with one input channel per filter.
    public init(weight: Tensor, bias: [Float]? = nil, stride: Int = 1, padding: Padding = .explicit(top: 0, left: 0, bottom: 0, right: 0),
                groups: Int = 1) {
        precondition(weight.rank == 4, "convolution weight must be [out, in/groups, kh, kw], got \(weight.shape)")
        precondition(groups == 1 || (weight.shape[1] == 1 && weight.shape[0] == groups),
                     "only ordinary (groups 1) and depthwise convolutions are supported, got groups \(groups) for weight \(weight.shape)")
        precondition(stride >= 1, "convolution stride must be at least 1, got \(stride)")
        self.weight = weight
        self.bias = bias ?? [Float](repeating: 0, count: weight.shape[0])
        precondition(self.bias.count == weight.shape[0], "convolution bias needs \(weight.shape[0]) values, got \(self.bias.count)")
        self.stride = stride
        self.padding = padding
        self.groups = groups
    }

    /// Number of output channels.
    public var outputChannels: Int { weight.shape[0] }
    /// Number of input channels.
    public var inputChannels: Int { groups == 1 ? weight.shape[1] : groups }
    /// Kernel height and width.
    public var kernelSize: (height: Int, width: Int) { (weight.shape[2], weight.shape[3]) }

    // MARK: - Batch norm folding

    /// Folds an inference-mode batch norm that follows this convolution into
    /// its weights and bias: `y = gamma * (conv(x) - mean) / sqrt(var + eps) + beta`.
    public mutating func fold(_ norm: BatchNorm2D) {
        precondition(norm.channels == outputChannels,
                     "batch norm has \(norm.channels) channels, the convolution \(outputChannels)")
        let perFilter = weight.count / outputChannels
        for channel in 0..<outputChannels {
            let scale = norm.weight[channel] / (norm.runningVariance[channel] + norm.epsilon).squareRoot()
            weight.scalars.withUnsafeMutableBufferPointer { buffer in
                cblas_sscal(Int32(perFilter), scale, buffer.baseAddress! + channel * perFilter, 1)
            }
            bias[channel] = (bias[channel] - norm.runningMean[channel]) * scale + norm.bias[channel]
        }
    }

    // MARK: - Geometry

    /// Padding on each side and the output size for an input of `height` x `width`.
    func geometry(height: Int, width: Int) -> (top: Int, left: Int, outputHeight: Int, outputWidth: Int) {
        let (kernelHeight, kernelWidth) = kernelSize
        switch padding {
        case .explicit(let top, let left, let bottom, let right):
            return (top, left,
                    (height + top + bottom - kernelHeight) / stride + 1,
                    (width + left + right - kernelWidth) / stride + 1)
        case .same:
            let outputHeight = (height + stride - 1) / stride
            let outputWidth = (width + stride - 1) / stride
            let padHeight = max((outputHeight - 1) * stride + kernelHeight - height, 0)
            let padWidth = max((outputWidth - 1) * stride + kernelWidth - width, 0)
            return (padHeight / 2, padWidth / 2, outputHeight, outputWidth)
        }
    }

    // MARK: - Forward

    /// Applies the convolution to `input`, shaped `[batch, inputChannels, height, width]`.
    /// - Complexity: O(batch x outputChannels x outputPixels x inputChannels / groups x kernel area).
    public func callAsFunction(_ input: Tensor) -> Tensor {
        precondition(input.rank == 4 && input.shape[1] == inputChannels,
                     "convolution expects [batch, \(inputChannels), height, width], got \(input.shape)")
        let (batch, height, width) = (input.shape[0], input.shape[2], input.shape[3])
        let shape = geometry(height: height, width: width)
        precondition(shape.outputHeight > 0 && shape.outputWidth > 0,
                     "convolution input \(height)x\(width) is smaller than its kernel \(kernelSize)")
        var output = Tensor(shape: [batch, outputChannels, shape.outputHeight, shape.outputWidth])
        let inputSize = inputChannels * height * width
        let outputSize = outputChannels * shape.outputHeight * shape.outputWidth
        input.scalars.withUnsafeBufferPointer { source in
            output.scalars.withUnsafeMutableBufferPointer { destination in
                for image in 0..<batch {
                    let from = source.baseAddress! + image * inputSize
                    let to = destination.baseAddress! + image * outputSize
                    if groups == 1 {
                        forwardDense(from, to, height: height, width: width, geometry: shape)
                    } else {
                        forwardDepthwise(from, to, height: height, width: width, geometry: shape)
                    }
                }
            }
        }
        return output
    }
}
