import LarderTestSupport

/// Seeded clustered vectors: `clusters` Gaussian centres drawn uniformly in
/// `[-1, 1]^d`, each point a centre plus Gaussian noise of standard deviation
/// `spread`. Clustered data is a fairer graph-index test than uniform noise.
struct ClusteredData {
    let dimension: Int
    let vectors: [[Float]]

    /// Points `offset..<offset + count` of the sequence for `seed`; the same
    /// seed with a later offset gives held-out queries from the same clusters.
    init(count: Int, dimension: Int, clusters: Int = 64, spread: Float = 0.35, seed: UInt64, offset: Int = 0) {
        self.dimension = dimension
        var generator = SeededGenerator(seed: seed)
        let centres = (0..<clusters).map { _ in
            (0..<dimension).map { _ in Float.random(in: -1...1, using: &generator) }
        }
        var points = SeededGenerator(seed: seed &+ UInt64(offset) &* 0x9E37_79B9)
        vectors = (0..<count).map { _ in
            let centre = centres[Int.random(in: 0..<clusters, using: &points)]
            return centre.map { $0 + spread * ClusteredData.gaussian(&points) }
        }
    }

    /// Standard normal sample by the Box-Muller transform.
    static func gaussian(_ generator: inout SeededGenerator) -> Float {
        let u1 = Float.random(in: Float.leastNormalMagnitude..<1, using: &generator)
        let u2 = Float.random(in: 0..<1, using: &generator)
        return (-2 * logf(u1)).squareRoot() * cosf(2 * .pi * u2)
    }

    /// Row-major copy of the vectors.
    var flat: [Float] { vectors.flatMap { $0 } }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
