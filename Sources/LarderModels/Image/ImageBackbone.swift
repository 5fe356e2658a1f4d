import LarderImage
import LarderTensor
import LarderWeights

/// A convolutional or transformer network that turns preprocessed photos
/// into one feature vector each; `ImageEncoder` projects those vectors into
/// the shared recipe-image space.
public protocol ImageBackbone: Sendable {
    /// Length of each feature vector.
    var featureSize: Int { get }
    /// The resize, crop and normalisation the backbone was trained with.
    var preprocessor: ImagePreprocessor { get }
    /// Maps a batch `[N, 3, crop, crop]` to features `[N, featureSize]`.
    func features(_ images: Tensor) -> Tensor
}

// MARK: - Loading helpers

extension StateDictionary {
    /// Takes the four inference tensors of a `torch.nn.BatchNorm2d` named
    /// `prefix` and drops its `num_batches_tracked` counter.
    mutating func takeBatchNorm(_ prefix: String, channels: Int, epsilon: Float) -> BatchNorm2D {
        ignore { $0 == prefix + ".num_batches_tracked" }
        return BatchNorm2D(weight: take(prefix + ".weight", shape: [channels]).scalars,
                           bias: take(prefix + ".bias", shape: [channels]).scalars,
                           runningMean: take(prefix + ".running_mean", shape: [channels]).scalars,
                           runningVariance: take(prefix + ".running_var", shape: [channels]).scalars,
                           epsilon: epsilon)
    }

    /// Takes a bias-free convolution `convolution` and the batch norm `norm`
    /// after it, and returns the convolution with the norm folded in.
    mutating func takeConvolution(_ convolution: String, norm: String, shape: [Int], stride: Int = 1,
                                  padding: Convolution2D.Padding, depthwise: Bool = false, epsilon: Float) -> Convolution2D {
        let weight = take(convolution + ".weight", shape: shape)
        var layer = Convolution2D(weight: weight, stride: stride, padding: padding, groups: depthwise ? shape[0] : 1)
        layer.fold(takeBatchNorm(norm, channels: shape[0], epsilon: epsilon))
        return layer
    }
}

// MARK: - Batches

extension Tensor {
    /// Runs `body` on each image of a batch `[N, ...]` as a batch of one and
    /// stacks the `[1, featureSize]` results into `[N, featureSize]`.
    ///
    /// Convolutional backbones run image by image because one image's
    /// activations stay in the CPU caches, while a whole batch's activations
    /// (hundreds of MB at batch 32) stream through memory at every layer.
    func mapImages(featureSize: Int, _ body: (Tensor) -> Tensor) -> Tensor {
        let batch = shape[0]
        let imageSize = count / Swift.max(batch, 1)
        var output = Tensor(shape: [batch, featureSize])
        for index in 0..<batch {
            let image = Tensor(shape: [1] + shape.dropFirst(), scalars: Array(scalars[(index * imageSize)..<((index + 1) * imageSize)]))
            let features = body(image)
            output.scalars.replaceSubrange((index * featureSize)..<((index + 1) * featureSize), with: features.scalars)
        }
        return output
    }
}

// MARK: - Element-wise helpers

extension Tensor {
    /// Adds `other`, of the same shape, in place (`self += other`).
    mutating func addInPlace(_ other: Tensor) {
        precondition(shape == other.shape, "cannot add \(other.shape) to \(shape)")
        scalars.withUnsafeMutableBufferPointer { destination in
            other.scalars.withUnsafeBufferPointer { source in
                for index in destination.indices { destination[index] += source[index] }
            }
        }
    }
}
