import Foundation

/// Vectors for `larder bench`.
///
/// - `clustered`: Gaussian clusters (seeded), a stand-in for embeddings with
///   neighbourhood structure, at any size.
/// - `recipes`: feature-hashed bag-of-words vectors of real recipes (title and
///   ingredients) from a JSONL file, one vector per recipe.
enum BenchVectors {
    /// `count` base vectors and `queries` query vectors from Gaussian clusters.
    static func clustered(count: Int, queries: Int, dimension: Int, seed: UInt64) -> (base: [[Float]], queries: [[Float]]) {
        var generator = SplitMix(seed: seed)
        let clusterCount = max(1, min(1_000, count / 100))
        let centers = (0..<clusterCount).map { _ in (0..<dimension).map { _ in generator.gaussian() } }
        func point() -> [Float] {
            let center = centers[Int(generator.next() % UInt64(clusterCount))]
            return center.map { $0 + 0.35 * generator.gaussian() }
        }
        return ((0..<count).map { _ in point() }, (0..<queries).map { _ in point() })
    }

    /// Hashed vectors of the first `count + queries` recipes in `file`; the last `queries` become queries.
    static func recipes(file: URL, count: Int, queries: Int, dimension: Int) throws -> (base: [[Float]], queries: [[Float]]) {
        let text = try String(contentsOf: file, encoding: .utf8)
        var vectors: [[Float]] = []
        for line in text.split(separator: "\n") where vectors.count < count + queries {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
            var words = (object["title"] as? String ?? "")
            words += " " + ((object["ingredients"] as? [String]) ?? []).joined(separator: " ")
            var vector = [Float](repeating: 0, count: dimension)
            for word in words.lowercased().split(whereSeparator: { !$0.isLetter }) where word.count > 2 {
                let hash = fnv1a(word)
                vector[Int(hash % UInt64(dimension))] += (hash >> 63) == 0 ? 1 : -1
            }
            if vector.contains(where: { $0 != 0 }) { vectors.append(vector) }
        }
        guard vectors.count > queries else {
            throw BenchError.reply("\(file.path) has only \(vectors.count) usable recipes; lower --count")
        }
        return (Array(vectors.dropLast(queries)), Array(vectors.suffix(queries)))
    }

    private static func fnv1a(_ word: Substring) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in word.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }
}

/// SplitMix64 with a Box-Muller Gaussian, so benchmark data is the same on every run.
struct SplitMix {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func gaussian() -> Float {
        let u1 = max(Double(next() >> 11) / Double(1 << 53), 1e-12)
        let u2 = Double(next() >> 11) / Double(1 << 53)
        return Float((-2 * log(u1)).squareRoot() * cos(2 * .pi * u2))
    }
}
