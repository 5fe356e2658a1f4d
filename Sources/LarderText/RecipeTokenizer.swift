/// Turns recipe text into token ids as the data loader of Salvador et al. (CVPR 2021) does: each
/// title, ingredient line and instruction is lowercased, split into words by
/// `WordTokenizer` (NLTK `word_tokenize` rules), wrapped in `<start>` … `<end>`,
/// mapped to ids (unknown words to `<unk>`), and cut to `maxSentenceTokens`
/// ids counting both markers, so a cut sentence loses its `<end>`. Only the
/// first `maxIngredients` ingredients and `maxInstructions` instructions are kept.
public struct RecipeTokenizer: Sendable {
    /// The model's vocabulary.
    public let vocabulary: Vocabulary
    /// Ids kept per title, ingredient and instruction, markers included (15 in Salvador et al.).
    public var maxSentenceTokens: Int
    /// Ingredient lines kept per recipe (20 in Salvador et al.).
    public var maxIngredients: Int
    /// Instructions kept per recipe (20 in Salvador et al.).
    public var maxInstructions: Int

    /// Creates a tokenizer; the default limits are those of Salvador et al.
    public init(vocabulary: Vocabulary, maxSentenceTokens: Int = 15, maxIngredients: Int = 20,
                maxInstructions: Int = 20) {
        self.vocabulary = vocabulary
        self.maxSentenceTokens = maxSentenceTokens
        self.maxIngredients = maxIngredients
        self.maxInstructions = maxInstructions
    }

    /// Returns the ids of one sentence: `<start>`, its words, `<end>`, cut to `maxSentenceTokens`.
    public func ids(for sentence: String) -> [Int] {
        let words = WordTokenizer.tokenize(sentence.lowercased())
        var ids = [vocabulary.startID]
        ids.reserveCapacity(words.count + 2)
        for word in words { ids.append(vocabulary.id(of: word)) }
        ids.append(vocabulary.endID)
        return Array(ids.prefix(maxSentenceTokens))
    }

    /// Tokenizes a whole recipe with the limits above.
    public func tokenize(_ recipe: RecipeText) -> TokenizedRecipe {
        TokenizedRecipe(title: ids(for: recipe.title),
                        ingredients: recipe.ingredients.prefix(maxIngredients).map(ids(for:)),
                        instructions: recipe.instructions.prefix(maxInstructions).map(ids(for:)))
    }
}
