/// A recipe as token ids, ready for the recipe encoder: one id sequence for
/// the title and one per ingredient and instruction. Id 0 is padding.
public struct TokenizedRecipe: Sendable, Equatable, Codable {
    /// Title ids, `<start>` … `<end>`.
    public var title: [Int]
    /// One id sequence per ingredient line.
    public var ingredients: [[Int]]
    /// One id sequence per instruction sentence or paragraph.
    public var instructions: [[Int]]

    /// Creates a tokenized recipe from its id sequences.
    public init(title: [Int], ingredients: [[Int]], instructions: [[Int]]) {
        self.title = title
        self.ingredients = ingredients
        self.instructions = instructions
    }
}
