import Foundation
import LarderText

/// A recipe or photo that could not be turned into an encoder input.
public enum EncoderInputError: Error, Equatable, CustomStringConvertible {
    /// `ingredients` or `instructions` has no non-blank entry.
    case emptyField(String)
    /// The model has no image encoder, so IMAGE input cannot be encoded.
    case noImageEncoder
    /// The photo could not be decoded.
    case invalidImage(reason: String)

    public var description: String {
        switch self {
        case .emptyField(let name):
            return "invalid recipe: '\(name)' is empty; give at least one non-blank line"
        case .noImageEncoder:
            return "the loaded model has no image encoder; start the server with --model pointing to a model with one"
        case .invalidImage(let reason):
            return "invalid image: \(reason)"
        }
    }
}

extension RecipeText {
    /// Parses the RECIPE input of VADD and VSIM: a JSON object with a string
    /// `title` and lists of strings `ingredients` and `instructions`, each
    /// with at least one non-blank line. Other fields are ignored.
    /// - Throws: `RecipeTextError` for invalid JSON or a missing or mistyped
    ///   field, `EncoderInputError.emptyField` for an empty list.
    public init(validatingJSON bytes: [UInt8]) throws {
        try self.init(json: Data(bytes))
        for (name, lines) in [("ingredients", ingredients), ("instructions", instructions)]
        where !lines.contains(where: { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }) {
            throw EncoderInputError.emptyField(name)
        }
    }
}
