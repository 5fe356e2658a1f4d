import Foundation

/// One recipe as the trainer reads it: its text and, for a paired recipe,
/// the location of its photo.
public struct RecipeRecord: Sendable, Equatable, Codable {
    /// Identifier, unique within its data set.
    public var id: String
    /// Recipe title.
    public var title: String
    /// Ingredient lines, in the recipe's order.
    public var ingredients: [String]
    /// Instruction steps, in the recipe's order.
    public var instructions: [String]
    /// Photo locations relative to the data directory (empty for text-only recipes).
    public var images: [String]

    /// Creates a record.
    public init(id: String, title: String, ingredients: [String], instructions: [String], images: [String] = []) {
        self.id = id
        self.title = title
        self.ingredients = ingredients
        self.instructions = instructions
        self.images = images
    }
}

/// A photo labelled only with a dish name (Food-101 style), usable as a weak
/// pair with recipes whose titles contain that name.
public struct LabelledPhoto: Sendable, Equatable, Codable {
    /// Photo location relative to the data directory.
    public var image: String
    /// Dish name, for example "apple pie".
    public var label: String
}

/// An error while reading training or evaluation data.
public enum DataError: Error, Equatable, CustomStringConvertible {
    /// A file could not be opened or read.
    case unreadable(path: String, reason: String)
    /// A line or document is not the expected JSON.
    case invalidRecord(path: String, line: Int, reason: String)
    /// The data has nothing to train or evaluate on.
    case empty(path: String, what: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .invalidRecord(let path, let line, let reason):
            return "invalid record at \(path):\(line): \(reason); each line must be one JSON object with the documented fields"
        case .empty(let path, let what):
            return "\(path) has no \(what); check the path and the file's format"
        }
    }
}
