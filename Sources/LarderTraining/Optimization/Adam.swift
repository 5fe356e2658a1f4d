import Foundation

/// The Adam optimiser (Kingma and Ba, "Adam: A Method for Stochastic
/// Optimization", ICLR 2015) with bias correction and optional decoupled
/// weight decay (AdamW, Loshchilov and Hutter, ICLR 2019).
public struct Adam: Sendable {
    /// Exponential decay of the first-moment estimate.
    public var beta1: Float = 0.9
    /// Exponential decay of the second-moment estimate.
    public var beta2: Float = 0.999
    /// Added to the square root of the second moment to avoid division by zero.
    public var epsilon: Float = 1e-8
    /// Decoupled weight decay per step, as a fraction of the learning rate times the weight.
    public var weightDecay: Float = 0
    /// Number of updates taken so far (t in the paper), used for bias correction.
    public private(set) var step: Int = 0
    /// First-moment estimates, one array per parameter, in parameter order.
    public private(set) var firstMoments: [[Float]] = []
    /// Second-moment estimates, one array per parameter, in parameter order.
    public private(set) var secondMoments: [[Float]] = []

    /// Creates an optimiser with no updates taken.
    public init(weightDecay: Float = 0) { self.weightDecay = weightDecay }

    /// Restores an optimiser from a checkpoint.
    public init(step: Int, firstMoments: [[Float]], secondMoments: [[Float]], weightDecay: Float = 0) {
        self.step = step
        self.firstMoments = firstMoments
        self.secondMoments = secondMoments
        self.weightDecay = weightDecay
    }

    /// Applies one update to `parameters` with their accumulated gradients,
    /// scaled by `gradientScale` (for clipping). Parameters with no gradient are left unchanged.
    /// - Precondition: the same parameters, in the same order, on every call.
    public mutating func update(_ parameters: [Variable], learningRate: Float, gradientScale: Float = 1) {
        if firstMoments.isEmpty {
            firstMoments = parameters.map { [Float](repeating: 0, count: $0.value.count) }
            secondMoments = firstMoments
        }
        precondition(firstMoments.count == parameters.count,
                     "Adam was created for \(firstMoments.count) parameters, got \(parameters.count)")
        step += 1
        let correction1 = 1 - Float(pow(Double(beta1), Double(step)))
        let correction2 = 1 - Float(pow(Double(beta2), Double(step)))
        let stepSize = learningRate / correction1
        let decay = 1 - learningRate * weightDecay
        let (b1, b2, eps) = (beta1, beta2, epsilon)
        for (index, parameter) in parameters.enumerated() {
            guard let gradient = parameter.grad else { continue }
            firstMoments[index].withUnsafeMutableBufferPointer { first in
                secondMoments[index].withUnsafeMutableBufferPointer { second in
                    parameter.value.scalars.withUnsafeMutableBufferPointer { weights in
                        for element in 0..<weights.count {
                            let g = gradient[element] * gradientScale
                            first[element] = b1 * first[element] + (1 - b1) * g
                            second[element] = b2 * second[element] + (1 - b2) * g * g
                            let denominator = (second[element] / correction2).squareRoot() + eps
                            weights[element] = weights[element] * decay - stepSize * first[element] / denominator
                        }
                    }
                }
            }
        }
    }
}

/// Gradient clipping by global norm (Pascanu, Mikolov and Bengio, ICML 2013).
public enum GradientClipping {
    /// The L2 norm of all parameters' gradients taken together.
    public static func globalNorm(_ parameters: [Variable]) -> Float {
        var squares: Double = 0
        for parameter in parameters {
            guard let gradient = parameter.grad else { continue }
            for g in gradient { squares += Double(g) * Double(g) }
        }
        return Float(squares.squareRoot())
    }

    /// The factor that scales the gradients down to a global norm of at most
    /// `maximumNorm` (1 when they are within it, or when `maximumNorm` is not positive).
    public static func scale(norm: Float, maximumNorm: Float) -> Float {
        guard maximumNorm > 0, norm > maximumNorm else { return 1 }
        return maximumNorm / norm
    }
}

/// The learning rate over training: linear warm-up from zero, then constant
/// or cosine decay to `minimumFactor` of the base rate by the last step.
public struct LearningRateSchedule: Sendable, Codable, Equatable {
    /// How the rate falls after warm-up.
    public enum Decay: String, Sendable, Codable {
        case constant, cosine
    }

    /// Peak learning rate, reached at the end of warm-up.
    public var baseRate: Float
    /// Steps of linear warm-up.
    public var warmupSteps: Int
    /// Total number of training steps.
    public var totalSteps: Int
    /// Decay after warm-up.
    public var decay: Decay
    /// Final rate as a fraction of `baseRate` for cosine decay.
    public var minimumFactor: Float

    /// Creates a schedule.
    public init(baseRate: Float, warmupSteps: Int, totalSteps: Int, decay: Decay = .cosine, minimumFactor: Float = 0.05) {
        self.baseRate = baseRate
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
        self.decay = decay
        self.minimumFactor = minimumFactor
    }

    /// The rate for 0-based step `step`.
    public func rate(at step: Int) -> Float {
        if step < warmupSteps {
            return baseRate * Float(step + 1) / Float(warmupSteps)
        }
        switch decay {
        case .constant:
            return baseRate
        case .cosine:
            let span = max(totalSteps - warmupSteps, 1)
            let progress = min(Float(step - warmupSteps) / Float(span), 1)
            let cosine = 0.5 * (1 + Float(Foundation.cos(Double.pi * Double(progress))))
            return baseRate * (minimumFactor + (1 - minimumFactor) * cosine)
        }
    }
}
