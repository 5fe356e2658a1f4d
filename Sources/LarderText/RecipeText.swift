/// A recipe's text as the encoder reads it: the fields of a line of the
/// recipe JSONL files (`title`, `ingredients`, `instructions`; other fields
/// are ignored when decoding).
public struct RecipeText: Sendable, Equatable, Codable {
    /// Dish name.
    public var title: String
    /// Ingredient lines, in the recipe's order.
    public var ingredients: [String]
    /// Instruction steps or paragraphs, in the recipe's order.
    public var instructions: [String]

    /// Creates a recipe from its text fields.
    public init(title: String, ingredients: [String], instructions: [String]) {
        self.title = title
        self.ingredients = ingredients
        self.instructions = instructions
    }
}
