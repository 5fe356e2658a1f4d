/// A vector that cannot be stored or searched. Each case names the offending
/// value so the message can tell the caller what to fix.
public enum VectorError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The vector has no components.
    case empty
    /// The vector's length differs from the index's dimension.
    case wrongDimension(expected: Int, got: Int)
    /// A component is NaN or infinite.
    case nonFinite(index: Int, value: Float)
    /// Every component is zero, so the vector has no direction under the cosine metric.
    case zeroVector
    /// The vector is so long that squared lengths and distances overflow float32.
    case tooLong(length: Double)
    /// A `k` or `ef` parameter is not positive.
    case invalidParameter(name: String, value: Int)
    /// A quantization mode that this component does not implement.
    case unsupportedQuantization(VectorQuantization)

    public var description: String {
        switch self {
        case .empty:
            return "invalid vector: it has no components; send at least one value"
        case let .wrongDimension(expected, got):
            return "invalid vector: it has \(got) components but the index dimension is \(expected); send \(expected) values"
        case let .nonFinite(index, value):
            return "invalid vector: component \(index) is \(value); every component must be a finite number"
        case .zeroVector:
            return "invalid vector: every component is zero, which has no direction under the cosine metric; send a non-zero vector"
        case let .tooLong(length):
            return "invalid vector: its length is \(length), too long for float32 distances; scale it to a length "
                + "below \(maximumVectorLength)"
        case let .invalidParameter(name, value):
            return "invalid \(name) \(value): it must be at least 1"
        case let .unsupportedQuantization(mode):
            return "unsupported quantization '\(mode.rawValue)': use 'none', 'int8' or 'int8-rerank'"
        }
    }
}

/// The maximum length of a vector that an index accepts. Squared lengths and squared L2
/// distances up to `(2 * 1e18)²` stay well inside float32's range (3.4e38).
public let maximumVectorLength = 1e18

/// Checks that `vector` can be stored or searched: it is non-empty, has
/// `dimension` components when a dimension is given, every component is finite,
/// its length is at most `maximumVectorLength`, and it is not all zeros under
/// the cosine metric.
///
/// - Throws: the first `VectorError` found, scanning components in order.
/// - Complexity: O(n) for n components.
public func validate(_ vector: [Float], dimension: Int?, metric: DistanceMetric) throws {
    try vector.withUnsafeBufferPointer { try validate($0, dimension: dimension, metric: metric) }
}

/// Checks a vector in a buffer; see `validate(_:dimension:metric:)`.
public func validate(_ vector: UnsafeBufferPointer<Float>, dimension: Int?, metric: DistanceMetric) throws {
    guard !vector.isEmpty else { throw VectorError.empty }
    if let dimension, vector.count != dimension {
        throw VectorError.wrongDimension(expected: dimension, got: vector.count)
    }
    // One pass: finiteness, and the squared length in Double (see `VectorKernels.length`).
    var squaredLength: Double = 0
    for (index, value) in vector.enumerated() {
        guard value.isFinite else { throw VectorError.nonFinite(index: index, value: value) }
        squaredLength += Double(value) * Double(value)
    }
    if metric == .cosine && squaredLength == 0 { throw VectorError.zeroVector }
    let length = squaredLength.squareRoot()
    guard length <= maximumVectorLength else { throw VectorError.tooLong(length: length) }
}
