import LarderTensor

/// Turns a decoded photo into a network input as torchvision's
/// `Resize(shorterSide)`, `CenterCrop(cropSize)`, `ToTensor()` and
/// `Normalize(mean, std)` do on a float tensor with `antialias=True`:
/// - the shorter side becomes `shorterSide` pixels and the longer one
///   `Int(shorterSide * longer / shorter)` (truncated, as torchvision);
/// - resampling is separable bilinear whose support widens by the scale
///   factor when shrinking (the antialiased filter of
///   `torch.nn.functional.interpolate(..., antialias=True)`, after Pillow);
/// - the crop's top-left corner is `round((size - crop) / 2)`, halves
///   rounded to even as Python does;
/// - values are divided by 255, then normalised per channel.
///
/// Only the pixels inside the crop are resampled, which gives the same
/// values as resizing the whole image first. Resampling runs in fp32 without
/// rounding to 8 bits in between: torchvision's uint8 fast path rounds and
/// can differ by one grey level.
public struct ImagePreprocessor: Sendable, Equatable {
    /// Length in pixels of the shorter side after resizing.
    public var shorterSide: Int
    /// Side in pixels of the square center crop.
    public var cropSize: Int
    /// Per-channel mean subtracted after scaling to [0, 1].
    public var mean: [Float]
    /// Per-channel standard deviation divided by after subtracting the mean.
    public var standardDeviation: [Float]

    /// ImageNet's channel statistics, used by torchvision's pretrained models.
    public static let imageNetMean: [Float] = [0.485, 0.456, 0.406]
    /// ImageNet's channel standard deviations.
    public static let imageNetStandardDeviation: [Float] = [0.229, 0.224, 0.225]

    /// Creates a preprocessor; `shorterSide` must be at least `cropSize`.
    public init(shorterSide: Int = 256, cropSize: Int = 224, mean: [Float] = imageNetMean,
                standardDeviation: [Float] = imageNetStandardDeviation) {
        precondition(cropSize >= 1 && shorterSide >= cropSize,
                     "resize target \(shorterSide) must be at least the crop size \(cropSize)")
        precondition(mean.count == 3 && standardDeviation.count == 3, "mean and standard deviation need 3 channels")
        self.shorterSide = shorterSide
        self.cropSize = cropSize
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    /// Size after the resize step for an image of `width` x `height`.
    public func resizedSize(width: Int, height: Int) -> (width: Int, height: Int) {
        if width <= height {
            return (shorterSide, Int(Double(shorterSide) * Double(height) / Double(width)))
        }
        return (Int(Double(shorterSide) * Double(width) / Double(height)), shorterSide)
    }

    /// Returns the normalised crop as a `[3, cropSize, cropSize]` tensor.
    public func tensor(for image: RGBImage) -> Tensor {
        precondition(image.width > 0 && image.height > 0, "cannot preprocess an empty image")
        let resized = resizedSize(width: image.width, height: image.height)
        let top = Int((Double(resized.height - cropSize) / 2).rounded(.toNearestOrEven))
        let left = Int((Double(resized.width - cropSize) / 2).rounded(.toNearestOrEven))
        let columns = ResamplingWeights(inputSize: image.width, outputSize: resized.width, outputRange: left..<(left + cropSize))
        let rows = ResamplingWeights(inputSize: image.height, outputSize: resized.height, outputRange: top..<(top + cropSize))

        // Horizontal pass over the input rows the crop needs: [rows, cropSize, 3].
        let firstRow = rows.inputRange.lowerBound
        let rowCount = rows.inputRange.count
        var horizontal = [Float](repeating: 0, count: rowCount * cropSize * 3)
        image.pixels.withUnsafeBufferPointer { pixels in
            horizontal.withUnsafeMutableBufferPointer { output in
                for row in 0..<rowCount {
                    let source = pixels.baseAddress! + (firstRow + row) * image.width * 3
                    for column in 0..<cropSize {
                        var (red, green, blue): (Float, Float, Float) = (0, 0, 0)
                        let start = columns.starts[column]
                        for (tap, weight) in columns.weights[column].enumerated() {
                            let pixel = source + (start + tap) * 3
                            red += weight * Float(pixel[0])
                            green += weight * Float(pixel[1])
                            blue += weight * Float(pixel[2])
                        }
                        let index = (row * cropSize + column) * 3
                        output[index] = red
                        output[index + 1] = green
                        output[index + 2] = blue
                    }
                }
            }
        }

        // Vertical pass, then scaling and normalisation into planar [3, crop, crop].
        var output = Tensor(shape: [3, cropSize, cropSize])
        let plane = cropSize * cropSize
        let scale = (0..<3).map { 1 / (255 * standardDeviation[$0]) }
        let shift = (0..<3).map { -mean[$0] / standardDeviation[$0] }
        horizontal.withUnsafeBufferPointer { source in
            output.scalars.withUnsafeMutableBufferPointer { destination in
                for y in 0..<cropSize {
                    let start = rows.starts[y] - firstRow
                    for x in 0..<cropSize {
                        var sums: (Float, Float, Float) = (0, 0, 0)
                        for (tap, weight) in rows.weights[y].enumerated() {
                            let index = ((start + tap) * cropSize + x) * 3
                            sums.0 += weight * source[index]
                            sums.1 += weight * source[index + 1]
                            sums.2 += weight * source[index + 2]
                        }
                        let pixel = y * cropSize + x
                        destination[pixel] = sums.0 * scale[0] + shift[0]
                        destination[plane + pixel] = sums.1 * scale[1] + shift[1]
                        destination[2 * plane + pixel] = sums.2 * scale[2] + shift[2]
                    }
                }
            }
        }
        return output
    }
}

/// Antialiased bilinear resampling weights along one axis, for the output
/// pixels in `outputRange` of a resize from `inputSize` to `outputSize`.
///
/// Output pixel `i` centres at `scale * (i + 0.5)` with `scale = input / output`;
/// the triangle filter spans `max(scale, 1)` input pixels on each side and its
/// weights are normalised to sum to 1.
struct ResamplingWeights {
    /// First input pixel of each output pixel's window.
    var starts: [Int] = []
    /// Normalised weights of each window.
    var weights: [[Float]] = []
    /// Input pixels that any window touches.
    var inputRange: Range<Int>

    init(inputSize: Int, outputSize: Int, outputRange: Range<Int>) {
        let scale = Double(inputSize) / Double(outputSize)
        let support = max(scale, 1)
        let inverseScale = scale >= 1 ? 1 / scale : 1
        var lowest = inputSize, highest = 0
        for index in outputRange {
            let center = scale * (Double(index) + 0.5)
            let start = max(Int(center - support + 0.5), 0)
            let end = min(Int(center + support + 0.5), inputSize)
            var window = (start..<end).map { input in
                max(0, 1 - abs((Double(input) - center + 0.5) * inverseScale))
            }
            let total = window.reduce(0, +)
            if total > 0 { window = window.map { $0 / total } }
            starts.append(start)
            weights.append(window.map(Float.init))
            lowest = min(lowest, start)
            highest = max(highest, end)
        }
        inputRange = lowest..<max(lowest, highest)
    }
}
