import LarderTensor
import LarderText

/// The hierarchical transformer recipe encoder of Salvador et al. (CVPR 2021).
///
/// One word embedding is shared by all components. The title's words go
/// through a transformer encoder and are mean-pooled. Each ingredient line
/// and each instruction is encoded the same way by its component's word-level
/// encoder, and the resulting sentence vectors go through a second
/// (sentence-level) transformer, again mean-pooled. The three component
/// vectors are concatenated (title, ingredients, instructions), projected by
/// a linear layer and squashed by tanh.
///
/// A component with no sentence (an empty ingredient or instruction list)
/// contributes a zero vector. The authors' code has no defined output there
/// (it yields NaN), so Larder's PyTorch reference script zeroes it the same way.
public struct RecipeEncoder: Sendable {
    /// The sizes this encoder was built with.
    public let configuration: RecipeEncoderConfiguration
    /// `text_encoder.word_embedding`.
    public let wordEmbedding: Embedding
    /// Word-level encoders, one per component (`text_encoder.tfs.<component>`).
    public let wordEncoders: [RecipeComponent: SequenceEncoder]
    /// Sentence-level encoders for ingredients and instructions (`text_encoder.merger.<component>`).
    public let sentenceEncoders: [RecipeComponent: SequenceEncoder]
    /// The final projection of the concatenated component vectors (`merger_recipe`).
    public let merger: Linear
    /// Self-supervised projection heads, `projections[source][target]`
    /// (`projector_recipes.<source>.<target>`); unused at inference.
    public let projections: [RecipeComponent: [RecipeComponent: Linear]]

    /// Creates an encoder from its parts; `RecipeEncoder(configuration:parameters:)` builds one from named tensors.
    public init(configuration: RecipeEncoderConfiguration, wordEmbedding: Embedding,
                wordEncoders: [RecipeComponent: SequenceEncoder],
                sentenceEncoders: [RecipeComponent: SequenceEncoder], merger: Linear,
                projections: [RecipeComponent: [RecipeComponent: Linear]]) {
        self.configuration = configuration
        self.wordEmbedding = wordEmbedding
        self.wordEncoders = wordEncoders
        self.sentenceEncoders = sentenceEncoders
        self.merger = merger
        self.projections = projections
    }

    // MARK: - Encoding

    /// Returns the recipe vectors, `[recipes.count, outputSize]`, each element in [-1, 1] (tanh).
    /// - Throws: `RecipeEncoderError` when a token id or a length is out of range.
    /// - Complexity: O(tokens × hidden² + tokens × length × hidden) for all recipes together.
    public func encode(_ recipes: [TokenizedRecipe]) throws -> Tensor {
        let features = try componentVectors(recipes)
        let hidden = configuration.hiddenSize
        var joined = Tensor(shape: [recipes.count, 3 * hidden])
        for (index, component) in RecipeComponent.allCases.enumerated() {
            let vectors = features[component]!.scalars
            for row in 0..<recipes.count {
                let target = row * 3 * hidden + index * hidden
                joined.scalars.replaceSubrange(target..<(target + hidden),
                                               with: vectors[(row * hidden)..<((row + 1) * hidden)])
            }
        }
        var output = merger(joined)
        output.applyTanh()
        return output
    }

    /// Returns each component's pooled vector, `[recipes.count, hiddenSize]`:
    /// the inputs of the final projection and of the self-supervised heads.
    /// - Throws: `RecipeEncoderError` when a token id or a length is out of range.
    public func componentVectors(_ recipes: [TokenizedRecipe]) throws -> [RecipeComponent: Tensor] {
        try validate(recipes)
        var result: [RecipeComponent: Tensor] = [:]
        result[.title] = encodeSequences(recipes.map(\.title), with: wordEncoders[.title]!)
        result[.ingredients] = encodeSentenceLists(recipes.map(\.ingredients), component: .ingredients)
        result[.instructions] = encodeSentenceLists(recipes.map(\.instructions), component: .instructions)
        return result
    }

    /// Embeds and encodes id sequences padded to the longest one; returns `[sequences.count, hidden]`.
    private func encodeSequences(_ sequences: [[Int]], with encoder: SequenceEncoder) -> Tensor {
        let hidden = configuration.hiddenSize
        let length = sequences.map(\.count).max() ?? 0
        guard length > 0 else { return Tensor(shape: [sequences.count, hidden]) }
        var ids = [Int](repeating: 0, count: sequences.count * length)
        for (row, sequence) in sequences.enumerated() {
            ids.replaceSubrange((row * length)..<(row * length + sequence.count), with: sequence)
        }
        // Padding is id 0, as in the authors' mask `input == 0`.
        let valid = ids.map { $0 != 0 }
        var embedded = wordEmbedding(ids)
        embedded.shape = [sequences.count, length, hidden]
        return encoder(embedded, valid: valid)
    }

    /// Encodes every sentence of every list with the component's word-level
    /// encoder, then each list of sentence vectors with its sentence-level encoder.
    private func encodeSentenceLists(_ lists: [[[Int]]], component: RecipeComponent) -> Tensor {
        let hidden = configuration.hiddenSize
        // A sentence of only padding counts as absent, like the authors' mask `ids.sum() > 0`.
        let present = lists.map { $0.filter { $0.contains { $0 != 0 } } }
        let sentenceVectors = encodeSequences(present.flatMap { $0 }, with: wordEncoders[component]!)
        let length = present.map(\.count).max() ?? 0
        guard length > 0 else { return Tensor(shape: [lists.count, hidden]) }

        var stacked = Tensor(shape: [lists.count, length, hidden])
        var valid = [Bool](repeating: false, count: lists.count * length)
        var next = 0
        for (row, sentences) in present.enumerated() {
            for position in 0..<sentences.count {
                let target = (row * length + position) * hidden
                stacked.scalars.replaceSubrange(target..<(target + hidden),
                                                with: sentenceVectors.scalars[(next * hidden)..<((next + 1) * hidden)])
                valid[row * length + position] = true
                next += 1
            }
        }
        return sentenceEncoders[component]!(stacked, valid: valid)
    }

    private func validate(_ recipes: [TokenizedRecipe]) throws {
        let vocabularySize = configuration.vocabularySize, positions = configuration.positionCount
        for (index, recipe) in recipes.enumerated() {
            let sequences = [(RecipeComponent.title, recipe.title)]
                + recipe.ingredients.map { (RecipeComponent.ingredients, $0) }
                + recipe.instructions.map { (RecipeComponent.instructions, $0) }
            for (component, sequence) in sequences {
                if let id = sequence.first(where: { $0 < 0 || $0 >= vocabularySize }) {
                    throw RecipeEncoderError.tokenOutOfRange(recipe: index, component: component, id: id,
                                                             vocabularySize: vocabularySize)
                }
                if sequence.count > positions {
                    throw RecipeEncoderError.sequenceTooLong(recipe: index, component: component,
                                                             length: sequence.count, maximum: positions)
                }
            }
            for (component, count) in [(RecipeComponent.ingredients, recipe.ingredients.count),
                                       (.instructions, recipe.instructions.count)] where count > positions {
                throw RecipeEncoderError.sequenceTooLong(recipe: index, component: component,
                                                         length: count, maximum: positions)
            }
        }
    }
}

/// Input that the recipe encoder cannot encode.
public enum RecipeEncoderError: Error, Equatable, CustomStringConvertible {
    /// A token id is outside the vocabulary the model was trained with.
    case tokenOutOfRange(recipe: Int, component: RecipeComponent, id: Int, vocabularySize: Int)
    /// A sequence is longer than the learned positional embedding.
    case sequenceTooLong(recipe: Int, component: RecipeComponent, length: Int, maximum: Int)

    public var description: String {
        switch self {
        case .tokenOutOfRange(let recipe, let component, let id, let size):
            return "recipe \(recipe): \(component.rawValue) has token id \(id) outside the vocabulary of \(size) ids; tokenize with the model's own vocabulary"
        case .sequenceTooLong(let recipe, let component, let length, let maximum):
            return "recipe \(recipe): \(component.rawValue) has a sequence of \(length) entries but the model has \(maximum) positions; truncate it with the tokenizer's limits"
        }
    }
}
