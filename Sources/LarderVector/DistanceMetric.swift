/// How two vectors are compared. Every distance in Larder is "smaller is closer".
///
/// - `cosine`: vectors are normalized to unit length at insert, so the distance
///   is `1 - cos(a, b)` in `[0, 2]`.
/// - `innerProduct`: the distance is `1 - a·b` on the vectors as given (the
///   convention of hnswlib's `ip` space), so larger inner products rank first.
/// - `l2`: the distance is the squared Euclidean distance `|a - b|²`.
public enum DistanceMetric: String, Sendable, CaseIterable {
    case cosine
    case innerProduct
    case l2

    /// Whether stored vectors are scaled to unit length (the norm is kept separately).
    @inlinable
    public var normalizesVectors: Bool { self == .cosine }

    /// Converts a distance of this metric into the score that Redis vector sets
    /// report from `VSIM ... WITHSCORES`: 1 means identical and larger is closer.
    ///
    /// - cosine: `(1 + cos) / 2 = 1 - distance / 2`, in `[0, 1]`.
    /// - innerProduct: `(1 + a·b) / 2`, clamped to `[0, 1]` (exact for unit vectors).
    /// - l2: `1 / (1 + sqrt(distance))`, in `(0, 1]`.
    @inlinable
    public func similarity(fromDistance distance: Float) -> Float {
        switch self {
        case .cosine, .innerProduct:
            return min(1, max(0, 1 - distance / 2))
        case .l2:
            return 1 / (1 + max(0, distance).squareRoot())
        }
    }

    /// Converts an inner product into this metric's distance. For `l2` the
    /// squared norms of both operands are needed as well.
    @inlinable
    public func distance(fromDot dot: Float, squaredNormA: Float = 0, squaredNormB: Float = 0) -> Float {
        switch self {
        case .cosine, .innerProduct:
            return 1 - dot
        case .l2:
            return max(0, squaredNormA + squaredNormB - 2 * dot)
        }
    }
}

/// The encoding an index stores its vectors in.
///
/// - `none`: fp32 components, 4 bytes each.
/// - `int8`: one signed byte per component plus one fp32 scale per vector
///   (symmetric scalar quantization, `x ≈ scale * q`), and no fp32 copy, as
///   Redis vector sets store Q8. Traversal and ranking use the codes, and
///   the vectors an index returns are the dequantized codes.
/// - `int8Rerank`: the int8 codes for graph traversal plus the fp32 rows,
///   which re-rank the final candidates exactly and are the vectors an index
///   returns. Searches cost about what `int8` costs and reach fp32 recall;
///   memory is the sum of both encodings.
/// - `binary`: reserved for sign-bit quantization; `HNSWIndex` rejects it for now.
public enum VectorQuantization: String, Sendable, CaseIterable {
    case none
    case int8
    case int8Rerank = "int8-rerank"
    case binary

    /// Whether graph traversal scores nodes by their int8 codes.
    public var traversesInt8: Bool { self == .int8 || self == .int8Rerank }

    /// Whether the index keeps each vector's fp32 components.
    public var keepsFloatRows: Bool { self == .none || self == .int8Rerank }
}
