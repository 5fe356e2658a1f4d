import LarderText

/// Token ids of a batch of recipes padded with 0 to rectangular shapes:
/// titles `[batch, titleLength]`, ingredients and instructions
/// `[batch, sentences, sentenceLength]`. Padding never changes a recipe's
/// vector because every padded position is masked.
public struct TokenBatch: Sendable, Equatable {
    /// A padded list of sentences, row-major `[batch, sentences, length]`.
    public struct Nested: Sendable, Equatable {
        /// Token ids, 0 for padding.
        public var ids: [Int32]
        /// Sentences per recipe (at least 1, so shapes are never empty).
        public var sentences: Int
        /// Tokens per sentence (at least 1).
        public var length: Int
    }

    /// Number of recipes.
    public var count: Int
    /// Title ids, row-major `[count, titleLength]`.
    public var titleIDs: [Int32]
    /// Tokens per padded title (at least 1).
    public var titleLength: Int
    /// Padded ingredient lines.
    public var ingredients: Nested
    /// Padded instruction sentences.
    public var instructions: Nested

    /// Pads `recipes` into one batch.
    public init(_ recipes: [TokenizedRecipe]) {
        count = recipes.count
        titleLength = max(recipes.map(\.title.count).max() ?? 0, 1)
        var titles = [Int32](repeating: 0, count: count * titleLength)
        for (row, recipe) in recipes.enumerated() {
            for (column, id) in recipe.title.enumerated() { titles[row * titleLength + column] = Int32(id) }
        }
        titleIDs = titles
        ingredients = Self.pad(recipes.map(\.ingredients))
        instructions = Self.pad(recipes.map(\.instructions))
    }

    private static func pad(_ lists: [[[Int]]]) -> Nested {
        let sentences = max(lists.map(\.count).max() ?? 0, 1)
        let length = max(lists.flatMap { $0.map(\.count) }.max() ?? 0, 1)
        var ids = [Int32](repeating: 0, count: lists.count * sentences * length)
        for (row, list) in lists.enumerated() {
            for (sentence, tokens) in list.enumerated() {
                let base = (row * sentences + sentence) * length
                for (position, id) in tokens.enumerated() { ids[base + position] = Int32(id) }
            }
        }
        return Nested(ids: ids, sentences: sentences, length: length)
    }
}
