import LarderTensor

/// Named tensors being turned into a model: each `take` checks one expected
/// name and shape, and `finish` reports every missing, mis-shaped and
/// unexpected tensor at once, so a checkpoint from the wrong architecture
/// shows all its differences in one error.
public struct ParameterSet {
    private var tensors: [String: Tensor]
    private var used: Set<String> = []
    private var problems: [ParameterProblem] = []

    /// Wraps `tensors`. When every name starts with `module.` (a checkpoint
    /// saved from PyTorch's `DataParallel`), that prefix is dropped.
    public init(_ tensors: [String: Tensor]) {
        let prefix = "module."
        if !tensors.isEmpty, tensors.keys.allSatisfy({ $0.hasPrefix(prefix) }) {
            self.tensors = Dictionary(uniqueKeysWithValues: tensors.map { (String($0.key.dropFirst(prefix.count)), $0.value) })
        } else {
            self.tensors = tensors
        }
    }

    /// Returns the tensor `name`, recording a problem (and returning zeros of
    /// `shape`, so loading can go on to find the other problems) when it is
    /// missing or has another shape.
    public mutating func take(_ name: String, shape: [Int]) -> Tensor {
        guard let tensor = tensors[name] else {
            problems.append(.missing(name: name, expected: shape))
            return Tensor(shape: shape)
        }
        used.insert(name)
        guard tensor.shape == shape else {
            problems.append(.shapeMismatch(name: name, expected: shape, actual: tensor.shape))
            return Tensor(shape: shape)
        }
        return tensor
    }

    /// Returns, without checking shapes, every tensor whose name starts with
    /// `prefix`, keyed by the rest of the name, and marks them used.
    public mutating func takeAll(prefix: String) -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for (name, tensor) in tensors where name.hasPrefix(prefix) {
            result[String(name.dropFirst(prefix.count))] = tensor
            used.insert(name)
        }
        return result
    }

    /// Throws `ModelLoadError.parameters` listing every problem found so far
    /// and every tensor that no `take` asked for.
    public func finish() throws {
        let unexpected = tensors.keys.filter { !used.contains($0) }.sorted()
            .map { ParameterProblem.unexpected(name: $0, actual: tensors[$0]!.shape) }
        let all = problems + unexpected
        if !all.isEmpty { throw ModelLoadError.parameters(all) }
    }
}

/// One difference between the tensors a model needs and those a file holds.
public enum ParameterProblem: Equatable, Sendable, CustomStringConvertible {
    /// The model needs `name` with shape `expected`, and the file lacks it.
    case missing(name: String, expected: [Int])
    /// The file has `name` with shape `actual`, and the model needs no such tensor.
    case unexpected(name: String, actual: [Int])
    /// The file's `name` has shape `actual` where the model needs `expected`.
    case shapeMismatch(name: String, expected: [Int], actual: [Int])

    public var description: String {
        switch self {
        case .missing(let name, let expected):
            return "missing tensor '\(name)' (expected shape \(expected))"
        case .unexpected(let name, let actual):
            return "unexpected tensor '\(name)' (shape \(actual))"
        case .shapeMismatch(let name, let expected, let actual):
            return "tensor '\(name)' has shape \(actual), expected \(expected)"
        }
    }
}
