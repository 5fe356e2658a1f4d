import LarderModels

/// The self-supervised recipe loss of Salvador et al. (CVPR 2021): for each
/// ordered pair of distinct components (source, target), the source's vector
/// is mapped by a linear projection head and compared with the target's raw
/// vector by the triplet loss over the batch; the six terms are averaged.
/// Gradients flow into both sides, as in the authors' code.
public struct RecipeLoss: Sendable {
    /// The triplet loss applied to each pair.
    public var triplet: TripletLoss

    /// Creates the loss with the triplet loss's margin.
    public init(margin: Float = 0.3) { triplet = TripletLoss(margin: margin) }

    /// The averaged loss, a `[1]` variable.
    /// - Parameters:
    ///   - components: each component's `[batch, width]` vector (before the merging layer).
    ///   - project: the projection head from the first component's space to the second's.
    public func callAsFunction(components: [RecipeComponent: Variable],
                               project: (RecipeComponent, RecipeComponent, Variable) -> Variable) -> Variable {
        var terms: [Variable] = []
        for target in RecipeComponent.allCases {
            for source in RecipeComponent.allCases where source != target {
                guard let raw = components[target], let other = components[source] else {
                    preconditionFailure("recipe loss needs all three components, missing \(target) or \(source)")
                }
                terms.append(triplet(raw, project(source, target, other)))
            }
        }
        return Variable.concatenated(terms).sum().scaled(by: 1 / Float(terms.count))
    }
}
