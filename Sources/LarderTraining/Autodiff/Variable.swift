import LarderTensor

/// A node of a reverse-mode automatic differentiation graph: a tensor value,
/// the gradient of a scalar loss with respect to it, and how to pass that
/// gradient on to the variables it was computed from.
///
/// Operations (`linear`, `layerNorm`, `maskedSoftmax`, ...) create a new
/// variable that keeps its inputs and a pullback closure; `backward()` on a
/// scalar result visits the graph in reverse topological order and
/// accumulates `grad` in every variable that `requiresGradient`. The graph is
/// freed with its last variable; parameters are leaves that outlive it, so
/// their `grad` sums over every `backward()` until `zeroGradient()`.
public final class Variable {
    /// The value computed in the forward pass. Optimisers update parameters in place.
    public var value: Tensor
    /// Gradient of the loss with respect to `value`, with the same element
    /// count, or nil before any gradient reached this variable.
    public internal(set) var grad: [Float]?
    /// Whether gradients flow into this variable: true for parameters and for
    /// results computed from at least one variable that requires them.
    public let requiresGradient: Bool

    let inputs: [Variable]
    /// Adds the input gradients given this variable's gradient.
    let pullback: (([Float]) -> Void)?

    /// Creates a leaf: a constant input (`requiresGradient: false`) or a trainable parameter.
    public init(_ value: Tensor, requiresGradient: Bool = false) {
        self.value = value
        self.requiresGradient = requiresGradient
        self.inputs = []
        self.pullback = nil
    }

    /// Creates the result of an operation. The pullback runs only when some input requires a gradient.
    init(_ value: Tensor, inputs: [Variable], pullback: @escaping ([Float]) -> Void) {
        self.value = value
        self.inputs = inputs
        let needed = inputs.contains { $0.requiresGradient }
        self.requiresGradient = needed
        self.pullback = needed ? pullback : nil
    }

    /// Shape of `value`.
    public var shape: [Int] { value.shape }

    /// Clears the accumulated gradient.
    public func zeroGradient() { grad = nil }

    /// Adds to the gradient in place through `body`, allocating zeros first when needed.
    /// Does nothing when this variable does not require a gradient.
    @inline(__always)
    func accumulateGradient(_ body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        guard requiresGradient else { return }
        if grad == nil { grad = [Float](repeating: 0, count: value.count) }
        grad!.withUnsafeMutableBufferPointer { body($0) }
    }

    /// Back-propagates from this scalar: sets its gradient to 1 and accumulates
    /// gradients into every variable it depends on.
    /// - Precondition: `value` has exactly one element.
    public func backward() {
        precondition(value.count == 1, "backward() starts from a scalar loss, not shape \(value.shape)")
        let order = topologicalOrder()
        grad = [1]
        for node in order.reversed() {
            guard let pullback = node.pullback, let gradient = node.grad else { continue }
            pullback(gradient)
        }
        // Intermediate gradients are no longer needed; parameters keep theirs.
        for node in order where node.pullback != nil && node !== self {
            node.grad = nil
        }
    }

    /// Every variable that requires a gradient and that this one depends on,
    /// inputs before the results computed from them (iterative depth-first search).
    private func topologicalOrder() -> [Variable] {
        var order: [Variable] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(node: Variable, expanded: Bool)] = [(self, false)]
        while let (node, expanded) = stack.popLast() {
            if expanded {
                order.append(node)
                continue
            }
            guard node.requiresGradient, visited.insert(ObjectIdentifier(node)).inserted else { continue }
            stack.append((node, true))
            for input in node.inputs where input.requiresGradient {
                stack.append((input, false))
            }
        }
        return order
    }
}
