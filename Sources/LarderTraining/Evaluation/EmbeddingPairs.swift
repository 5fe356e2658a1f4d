import Foundation
import LarderTensor

/// Image and recipe embeddings of the same pairs, row i of each being pair i:
/// the input of the retrieval protocol, and a JSON Lines file format for
/// embeddings computed elsewhere (one object a line:
/// `{"id": "...", "image": [floats], "recipe": [floats]}`).
public struct EmbeddingPairs: Sendable, Equatable {
    /// Pair identifiers, in row order.
    public var ids: [String]
    /// Image embeddings, `[pairs, dimension]`.
    public var images: Tensor
    /// Recipe embeddings, `[pairs, dimension]`.
    public var recipes: Tensor

    /// Creates pairs from row-aligned embeddings.
    /// - Precondition: both tensors are `[ids.count, dimension]`.
    public init(ids: [String], images: Tensor, recipes: Tensor) {
        precondition(images.shape == recipes.shape && images.rank == 2 && images.shape[0] == ids.count,
                     "embedding pairs need [\(ids.count), d] tensors, got \(images.shape) and \(recipes.shape)")
        self.ids = ids
        self.images = images
        self.recipes = recipes
    }

    private struct Line: Codable {
        var id: String
        var image: [Float]
        var recipe: [Float]
    }

    /// Reads pairs from JSON Lines; every vector must have the same dimension.
    /// - Throws: `DataError` naming the file and line of the first invalid record.
    public static func read(jsonLines url: URL) throws -> EmbeddingPairs {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw DataError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        let decoder = JSONDecoder()
        var ids: [String] = []
        var images: [Float] = []
        var recipes: [Float] = []
        var dimension: Int?
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.allSatisfy(\.isWhitespace) {
            let record: Line
            do {
                record = try decoder.decode(Line.self, from: Data(line.utf8))
            } catch {
                throw DataError.invalidRecord(path: url.path, line: offset + 1, reason: DataReader.describe(error))
            }
            let expected = dimension ?? record.image.count
            guard record.image.count == expected, record.recipe.count == expected, expected > 0 else {
                throw DataError.invalidRecord(
                    path: url.path, line: offset + 1,
                    reason: "image has \(record.image.count) and recipe \(record.recipe.count) values, expected \(expected) each")
            }
            dimension = expected
            ids.append(record.id)
            images += record.image
            recipes += record.recipe
        }
        guard let dimension else { throw DataError.empty(path: url.path, what: "embedding pairs") }
        return EmbeddingPairs(ids: ids, images: Tensor(shape: [ids.count, dimension], scalars: images),
                              recipes: Tensor(shape: [ids.count, dimension], scalars: recipes))
    }

    /// Writes the pairs as JSON Lines, readable by `read(jsonLines:)`.
    public func write(jsonLines url: URL) throws {
        let encoder = JSONEncoder()
        let dimension = images.shape[1]
        var output = Data()
        for (row, id) in ids.enumerated() {
            let range = (row * dimension)..<((row + 1) * dimension)
            output += try encoder.encode(Line(id: id, image: Array(images.scalars[range]),
                                              recipe: Array(recipes.scalars[range])))
            output += Data("\n".utf8)
        }
        try output.write(to: url, options: .atomic)
    }
}
