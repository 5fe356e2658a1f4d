/// The inference-time parameters of `torch.nn.BatchNorm2d`: per channel,
/// `y = weight * (x - runningMean) / sqrt(runningVariance + epsilon) + bias`.
/// Larder folds it into the preceding `Convolution2D` when loading weights.
public struct BatchNorm2D: Sendable {
    /// Scale (gamma).
    public var weight: [Float]
    /// Shift (beta).
    public var bias: [Float]
    /// Running mean of the training data.
    public var runningMean: [Float]
    /// Running variance of the training data.
    public var runningVariance: [Float]
    /// Added to the variance before the square root.
    public var epsilon: Float

    /// Creates the parameters; all arrays need one value per channel.
    public init(weight: [Float], bias: [Float], runningMean: [Float], runningVariance: [Float], epsilon: Float) {
        precondition(Set([weight.count, bias.count, runningMean.count, runningVariance.count]).count == 1,
                     "batch norm parameters need one value per channel")
        self.weight = weight
        self.bias = bias
        self.runningMean = runningMean
        self.runningVariance = runningVariance
        self.epsilon = epsilon
    }

    /// Number of channels.
    public var channels: Int { weight.count }
}
