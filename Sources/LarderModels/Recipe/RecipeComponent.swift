/// One of the three parts of a recipe that the encoder reads separately, in
/// the order their vectors are concatenated.
public enum RecipeComponent: String, CaseIterable, Sendable, Codable {
    case title, ingredients, instructions

    /// Whether the component is a list of sentences, encoded by a word-level
    /// transformer per sentence and then a sentence-level one.
    public var isSentenceList: Bool { self != .title }
}
