/// A FILTER expression that does not parse. The message names the position
/// (0-based byte offset) and the text found there.
public enum FilterParseError: Error, Equatable, Sendable, CustomStringConvertible {
    case unexpectedCharacter(Character, offset: Int)
    case unterminatedString(offset: Int)
    case invalidNumber(String, offset: Int)
    case nestedSelector(String, offset: Int)
    case emptySelector(offset: Int)
    case unexpectedToken(String, offset: Int, expected: String)
    case unexpectedEnd(expected: String)
    case tooDeep(maximum: Int)

    public var description: String {
        switch self {
        case .unexpectedCharacter(let character, let offset):
            return "unexpected character '\(character)' at offset \(offset)"
        case .unterminatedString(let offset):
            return "unterminated string literal starting at offset \(offset); close it with the same quote"
        case .invalidNumber(let text, let offset):
            return "invalid number '\(text)' at offset \(offset)"
        case .nestedSelector(let text, let offset):
            return "selector '\(text)' at offset \(offset) is nested; only top-level fields such as .year are supported"
        case .emptySelector(let offset):
            return "'.' at offset \(offset) must be followed by a field name, as in .year"
        case .unexpectedToken(let token, let offset, let expected):
            return "unexpected '\(token)' at offset \(offset); expected \(expected)"
        case .unexpectedEnd(let expected):
            return "expression ends too early; expected \(expected)"
        case .tooDeep(let maximum):
            return "expression nests deeper than \(maximum) levels"
        }
    }
}
