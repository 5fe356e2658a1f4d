import Foundation
import LarderText

/// A recipe or photo that could not be turned into an encoder input.
public enum EncoderInputError: Error, Equatable, CustomStringConvertible {
    /// The RECIPE argument is not a JSON object.
    case invalidRecipeJSON(reason: String)
    /// A required field is absent or of the wrong type.
    case missingField(String)
    /// `ingredients` or `instructions` has no non-blank entry.
    case emptyField(String)
    /// The model has no image encoder, so IMAGE input cannot be encoded.
    case noImageEncoder
    /// The photo could not be decoded.
    case invalidImage(reason: String)

    public var description: String {
        switch self {
        case .invalidRecipeJSON(let reason):
            return "invalid recipe JSON: \(reason); expected an object with title, ingredients and instructions"
        case .missingField(let name):
            return "invalid recipe: missing field '\(name)'"
                + (name == "title" ? " (a string)" : " (a list of strings)")
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
    /// `title` and non-empty lists of strings `ingredients` and `instructions`.
    /// Other fields are ignored.
    /// - Throws: `EncoderInputError` naming the field that is wrong.
    public init(json bytes: [UInt8]) throws {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes))
        } catch {
            throw EncoderInputError.invalidRecipeJSON(reason: "not valid JSON")
        }
        guard let fields = object as? [String: Any] else {
            throw EncoderInputError.invalidRecipeJSON(reason: "the top level is not an object")
        }
        guard let title = fields["title"] as? String else {
            throw EncoderInputError.missingField("title")
        }
        func lines(_ name: String) throws -> [String] {
            guard let values = fields[name] as? [Any], values.allSatisfy({ $0 is String }) else {
                throw EncoderInputError.missingField(name)
            }
            let text = values.compactMap { $0 as? String }
            guard text.contains(where: { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }) else {
                throw EncoderInputError.emptyField(name)
            }
            return text
        }
        self.init(title: title, ingredients: try lines("ingredients"), instructions: try lines("instructions"))
    }
}
