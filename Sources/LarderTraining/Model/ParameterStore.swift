import Foundation
import LarderTensor

/// The trainable tensors of a model by name, in creation order (the order
/// the optimiser and checkpoints use). Names follow PyTorch's `state_dict`
/// keys, for example `text_encoder.tfs.title.tf.layers.0.linear1.weight`.
public final class ParameterStore {
    /// Parameter names in creation order.
    public private(set) var names: [String] = []
    private var variables: [String: Variable] = [:]

    /// Creates an empty store.
    public init() {}

    /// The parameters in creation order.
    public var parameters: [Variable] { names.map { variables[$0]! } }

    /// Total number of scalars.
    public var scalarCount: Int { variables.values.reduce(0) { $0 + $1.value.count } }

    /// The parameter called `name`.
    /// - Precondition: it exists.
    public subscript(name: String) -> Variable {
        guard let variable = variables[name] else { preconditionFailure("no parameter named \(name)") }
        return variable
    }

    /// Whether a parameter called `name` exists.
    public func contains(_ name: String) -> Bool { variables[name] != nil }

    /// Adds a parameter with an initial value.
    /// - Precondition: the name is new.
    @discardableResult
    public func add(_ name: String, _ value: Tensor) -> Variable {
        precondition(variables[name] == nil, "parameter \(name) is defined twice")
        let variable = Variable(value, requiresGradient: true)
        names.append(name)
        variables[name] = variable
        return variable
    }

    /// Clears every parameter's gradient.
    public func zeroGradients() {
        for variable in variables.values { variable.zeroGradient() }
    }

    /// Every parameter's current value by name.
    public var tensors: [String: Tensor] { variables.mapValues(\.value) }

    /// Replaces parameter values from `tensors`.
    /// - Throws: `ModelError.missingTensor` or `.shapeMismatch` naming the tensor and both shapes.
    public func load(_ tensors: [String: Tensor]) throws {
        for name in names {
            guard let tensor = tensors[name] else { throw ModelError.missingTensor(name) }
            let variable = variables[name]!
            guard tensor.shape == variable.value.shape else {
                throw ModelError.shapeMismatch(name: name, expected: variable.value.shape, found: tensor.shape)
            }
            variable.value = tensor
        }
    }
}

/// An error in a model file, checkpoint or configuration.
public enum ModelError: Error, Equatable, CustomStringConvertible {
    /// A tensor the model needs is not in the file.
    case missingTensor(String)
    /// A tensor has another shape than the configuration implies.
    case shapeMismatch(name: String, expected: [Int], found: [Int])
    /// A configuration value is out of range.
    case invalidConfiguration(String)

    public var description: String {
        switch self {
        case .missingTensor(let name):
            return "tensor \(name) is missing from the model file; was it written for another architecture?"
        case .shapeMismatch(let name, let expected, let found):
            return "tensor \(name) has shape \(found), expected \(expected) from the configuration"
        case .invalidConfiguration(let message):
            return "invalid model configuration: \(message)"
        }
    }
}

// MARK: - Initialisation (PyTorch's defaults)

extension ParameterStore {
    /// Uniform in `[-bound, bound]`.
    static func uniform(_ shape: [Int], bound: Float, _ generator: inout SplitMix64) -> Tensor {
        let count = shape.reduce(1, *)
        return Tensor(shape: shape, scalars: (0..<count).map { _ in Float.random(in: -bound...bound, using: &generator) })
    }

    /// Normal with mean 0 and the given standard deviation.
    static func normal(_ shape: [Int], deviation: Float, _ generator: inout SplitMix64) -> Tensor {
        let count = shape.reduce(1, *)
        return Tensor(shape: shape, scalars: (0..<count).map { _ in generator.nextGaussian() * deviation })
    }

    /// Adds `name.weight` `[out, in]` and `name.bias` `[out]` initialised as
    /// PyTorch's `nn.Linear`: both uniform in `±1/√in`.
    func addLinear(_ name: String, inputs: Int, outputs: Int, _ generator: inout SplitMix64) {
        let bound = 1 / Float(inputs).squareRoot()
        add(name + ".weight", Self.uniform([outputs, inputs], bound: bound, &generator))
        add(name + ".bias", Self.uniform([outputs], bound: bound, &generator))
    }

    /// Adds `name.weight` (ones) and `name.bias` (zeros) of a layer norm.
    func addLayerNorm(_ name: String, width: Int) {
        add(name + ".weight", Tensor(shape: [width], repeating: 1))
        add(name + ".bias", Tensor(shape: [width], repeating: 0))
    }

    /// `x · Wᵀ + b` with the parameters `name.weight` and `name.bias`.
    func linear(_ name: String, _ input: Variable) -> Variable {
        input.linear(weight: self[name + ".weight"], bias: self[name + ".bias"])
    }
}
