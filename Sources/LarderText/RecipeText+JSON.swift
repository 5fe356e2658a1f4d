import Foundation

extension RecipeText {
    /// Parses a recipe from a JSON object with a string `title` and string
    /// arrays `ingredients` and `instructions` (the recipe JSONL record
    /// format; other fields are ignored).
    /// - Throws: `RecipeTextError` naming the invalid JSON or the missing or mistyped field.
    public init(json: Data) throws {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: json)
        } catch {
            // Foundation puts the position ("around character 10") only in the debug description.
            let nsError = error as NSError
            let reason = nsError.userInfo[NSDebugDescriptionErrorKey] as? String ?? nsError.localizedDescription
            throw RecipeTextError.invalidJSON(reason: reason)
        }
        guard let fields = object as? [String: Any] else {
            throw RecipeTextError.notAnObject
        }
        func strings(_ name: String) throws -> [String] {
            guard let value = fields[name] else { throw RecipeTextError.missingField(name) }
            guard let list = value as? [Any], let texts = list as? [String] else {
                throw RecipeTextError.wrongType(field: name, expected: "an array of strings")
            }
            return texts
        }
        guard let titleValue = fields["title"] else { throw RecipeTextError.missingField("title") }
        guard let title = titleValue as? String else {
            throw RecipeTextError.wrongType(field: "title", expected: "a string")
        }
        self.init(title: title, ingredients: try strings("ingredients"), instructions: try strings("instructions"))
    }
}

/// Recipe JSON that cannot be read.
public enum RecipeTextError: Error, Equatable, CustomStringConvertible {
    case invalidJSON(reason: String)
    case notAnObject
    case missingField(String)
    case wrongType(field: String, expected: String)

    public var description: String {
        let format = #"expected {"title": "...", "ingredients": ["..."], "instructions": ["..."]}"#
        switch self {
        case .invalidJSON(let reason):
            return "invalid recipe JSON: the input is not valid JSON (\(reason))"
        case .notAnObject:
            return "invalid recipe JSON: the top level is not an object; \(format)"
        case .missingField(let name):
            return "invalid recipe JSON: missing field '\(name)'; \(format)"
        case .wrongType(let field, let expected):
            return "invalid recipe JSON: field '\(field)' must be \(expected)"
        }
    }
}
