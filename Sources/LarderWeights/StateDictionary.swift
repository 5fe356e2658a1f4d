import LarderTensor

/// Named tensors from a checkpoint, consumed by a model as it builds its
/// layers: each `take` checks the tensor's shape, and `finish` reports every
/// missing, unexpected and mis-shaped tensor at once.
///
/// Names lose a leading `module.` (added by `torch.nn.DataParallel`) when
/// every tensor name has it.
public struct StateDictionary {
    private var remaining: [String: Tensor]
    private var missing: [(name: String, expected: [Int])] = []
    private var misshaped: [(name: String, expected: [Int], found: [Int])] = []

    /// Wraps `tensors`, stripping a `module.` prefix shared by all names.
    public init(_ tensors: [String: Tensor]) {
        let prefix = "module."
        if !tensors.isEmpty, tensors.keys.allSatisfy({ $0.hasPrefix(prefix) }) {
            remaining = Dictionary(uniqueKeysWithValues: tensors.map { (String($0.key.dropFirst(prefix.count)), $0.value) })
        } else {
            remaining = tensors
        }
    }

    /// Names not yet taken, sorted.
    public var remainingNames: [String] { remaining.keys.sorted() }

    /// Returns whether a tensor called `name` is present and not yet taken.
    public func contains(_ name: String) -> Bool { remaining[name] != nil }

    /// Returns the shape of the remaining tensor `name`, or `nil`.
    public func shape(of name: String) -> [Int]? { remaining[name]?.shape }

    /// Removes and returns the tensor `name` when it has `shape`. A missing or
    /// mis-shaped tensor is recorded for `finish()` and a zero tensor of
    /// `shape` is returned, so loading can go on and report every problem.
    public mutating func take(_ name: String, shape: [Int]) -> Tensor {
        guard let tensor = remaining.removeValue(forKey: name) else {
            missing.append((name, shape))
            return Tensor(shape: shape)
        }
        guard tensor.shape == shape else {
            // A 1-element tensor stored as a scalar (shape []) matches shape [1].
            if tensor.count == shape.reduce(1, *), tensor.count == 1 {
                return Tensor(shape: shape, scalars: tensor.scalars)
            }
            misshaped.append((name, shape, tensor.shape))
            return Tensor(shape: shape)
        }
        return tensor
    }

    /// Drops every remaining tensor whose name satisfies `isIgnored`, such as
    /// batch norm's `num_batches_tracked` or a classifier the encoder does not use.
    public mutating func ignore(where isIgnored: (String) -> Bool) {
        remaining = remaining.filter { !isIgnored($0.key) }
    }

    /// Throws `WeightMismatchError` when any tensor was missing or mis-shaped,
    /// or when tensors remain that nothing took.
    public func finish() throws {
        let unexpected = remaining.map { (name: $0.key, shape: $0.value.shape) }.sorted { $0.name < $1.name }
        guard missing.isEmpty, misshaped.isEmpty, unexpected.isEmpty else {
            throw WeightMismatchError(missing: missing, unexpected: unexpected, misshaped: misshaped)
        }
    }
}

/// Tensors that a checkpoint and a model disagree on, each with its shapes.
public struct WeightMismatchError: Error, CustomStringConvertible {
    /// Tensors the model needs that the checkpoint lacks, with the expected shape.
    public let missing: [(name: String, expected: [Int])]
    /// Tensors in the checkpoint that the model does not use, with their shape.
    public let unexpected: [(name: String, shape: [Int])]
    /// Tensors present with another shape than the model needs.
    public let misshaped: [(name: String, expected: [Int], found: [Int])]

    /// Creates an error from its three lists.
    public init(missing: [(name: String, expected: [Int])], unexpected: [(name: String, shape: [Int])],
                misshaped: [(name: String, expected: [Int], found: [Int])]) {
        self.missing = missing
        self.unexpected = unexpected
        self.misshaped = misshaped
    }

    public var description: String {
        var lines = ["checkpoint does not match the model; check that the architecture and its sizes match the checkpoint:"]
        lines += missing.map { "  missing \($0.name) (expected shape \($0.expected))" }
        lines += unexpected.map { "  unexpected \($0.name) (shape \($0.shape))" }
        lines += misshaped.map { "  mis-shaped \($0.name): expected shape \($0.expected), found \($0.found)" }
        return lines.joined(separator: "\n")
    }
}
