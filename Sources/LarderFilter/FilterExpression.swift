/// A compiled FILTER expression of Redis vector sets, evaluated against an
/// element's JSON attributes.
///
/// Syntax (JavaScript-like, as in Redis 8 vector sets): `.field` reads a
/// top-level attribute; literals are numbers, strings in single or double
/// quotes, `true`, `false` (1 and 0), `null` and arrays `[1, "a"]`; operators
/// from lowest to highest precedence are `or`/`||`, `and`/`&&`, `==` `!=`,
/// `>` `>=` `<` `<=` `in`, `+` `-`, `*` `/` `%`, `**` (right-associative),
/// and the prefixes `not`/`!` and `-`. `x in [..]` tests membership and
/// `"sub" in .text` tests for a substring.
///
/// An element whose attributes lack a field the expression reads, or hold a
/// value of the wrong kind, does not match.
public struct FilterExpression: Sendable, Equatable {
    /// The text the expression was compiled from.
    public let source: String
    let root: FilterNode

    /// Most nested parentheses and operators accepted, so that a hostile
    /// expression cannot exhaust the stack.
    public static let maxDepth = 64

    /// Compiles `source`.
    ///
    /// - Throws: `FilterParseError` naming the offset and the token found there.
    public init(_ source: String) throws {
        self.source = source
        var parser = FilterParser(tokens: try FilterLexer.tokenize(source))
        root = try parser.parseExpression(minimumPrecedence: 0, depth: 0)
        try parser.expectEnd()
    }

    /// Whether `attributes` match. Nil attributes (none stored) never match.
    public func matches(_ attributes: [String: JSONValue]?) -> Bool {
        guard let attributes else { return false }
        guard let value = root.evaluate(attributes) else { return false }
        return value.isTruthy
    }

    /// Parses `json` and evaluates; invalid JSON or a non-object never matches.
    public func matches(json: String) -> Bool {
        guard case .object(let members)? = try? JSONValue.parse(json) else { return false }
        return matches(members)
    }
}

// MARK: - Syntax tree

indirect enum FilterNode: Sendable, Equatable {
    case literal(FilterValue)
    case selector(String)
    case list([FilterNode])
    case unary(String, FilterNode)
    case binary(String, FilterNode, FilterNode)
}

/// A value during evaluation. JSON booleans become the numbers 1 and 0.
enum FilterValue: Sendable, Equatable {
    case number(Double)
    case string(String)
    case list([FilterValue])
    case null

    init(_ json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let flag): self = .number(flag ? 1 : 0)
        case .number(let number): self = .number(number)
        case .string(let text): self = .string(text)
        case .array(let elements): self = .list(elements.map(FilterValue.init))
        case .object: self = .null
        }
    }

    var isTruthy: Bool {
        switch self {
        case .number(let number): return number != 0
        case .string(let text): return !text.isEmpty
        case .list(let elements): return !elements.isEmpty
        case .null: return false
        }
    }
}

// MARK: - Parser

/// Precedence climbing over the token list.
struct FilterParser {
    private let tokens: [(token: FilterToken, offset: Int)]
    private var position = 0

    init(tokens: [(token: FilterToken, offset: Int)]) { self.tokens = tokens }

    private var current: FilterToken { tokens[position].token }
    private var offset: Int { tokens[position].offset }

    private static let binaryPrecedence: [String: Int] = [
        "or": 1, "||": 1, "and": 2, "&&": 2, "==": 3, "!=": 3,
        ">": 4, ">=": 4, "<": 4, "<=": 4, "in": 4,
        "+": 5, "-": 5, "*": 6, "/": 6, "%": 6, "**": 7,
    ]
    private static let canonical: [String: String] = ["||": "or", "&&": "and"]

    private func binaryOperator() -> String? {
        switch current {
        case .symbol(let symbol) where FilterParser.binaryPrecedence[symbol] != nil: return symbol
        case .keyword(let word) where FilterParser.binaryPrecedence[word] != nil: return word
        default: return nil
        }
    }

    mutating func expectEnd() throws {
        guard current == .end else {
            throw FilterParseError.unexpectedToken(current.text, offset: offset, expected: "an operator or the end")
        }
    }

    mutating func parseExpression(minimumPrecedence: Int, depth: Int) throws -> FilterNode {
        guard depth < FilterExpression.maxDepth else { throw FilterParseError.tooDeep(maximum: FilterExpression.maxDepth) }
        var left = try parseUnary(depth: depth + 1)
        while let op = binaryOperator(), let precedence = FilterParser.binaryPrecedence[op], precedence >= minimumPrecedence {
            position += 1
            // `**` is right-associative: its right side may hold another `**`.
            let next = op == "**" ? precedence : precedence + 1
            let right = try parseExpression(minimumPrecedence: next, depth: depth + 1)
            left = .binary(FilterParser.canonical[op] ?? op, left, right)
        }
        return left
    }

    private mutating func parseUnary(depth: Int) throws -> FilterNode {
        guard depth < FilterExpression.maxDepth else { throw FilterParseError.tooDeep(maximum: FilterExpression.maxDepth) }
        switch current {
        case .keyword("not"), .symbol("!"):
            position += 1
            return .unary("not", try parseUnary(depth: depth + 1))
        case .symbol("-"):
            position += 1
            return .unary("-", try parseUnary(depth: depth + 1))
        default:
            return try parsePrimary(depth: depth)
        }
    }

    private mutating func parsePrimary(depth: Int) throws -> FilterNode {
        let token = current
        let tokenOffset = offset
        position += 1
        switch token {
        case .number(let value): return .literal(.number(value))
        case .string(let value): return .literal(.string(value))
        case .selector(let name): return .selector(name)
        case .keyword("true"): return .literal(.number(1))
        case .keyword("false"): return .literal(.number(0))
        case .keyword("null"): return .literal(.null)
        case .symbol("("):
            let inner = try parseExpression(minimumPrecedence: 0, depth: depth + 1)
            try expect(")")
            return inner
        case .symbol("["):
            var elements: [FilterNode] = []
            if current == .symbol("]") {
                position += 1
                return .list(elements)
            }
            while true {
                elements.append(try parseExpression(minimumPrecedence: 0, depth: depth + 1))
                if current == .symbol(",") {
                    position += 1
                    continue
                }
                try expect("]")
                return .list(elements)
            }
        case .end:
            throw FilterParseError.unexpectedEnd(expected: "a value, a .field selector or '('")
        default:
            throw FilterParseError.unexpectedToken(token.text, offset: tokenOffset,
                                                   expected: "a value, a .field selector or '('")
        }
    }

    private mutating func expect(_ symbol: String) throws {
        guard current == .symbol(symbol) else {
            if current == .end { throw FilterParseError.unexpectedEnd(expected: "'\(symbol)'") }
            throw FilterParseError.unexpectedToken(current.text, offset: offset, expected: "'\(symbol)'")
        }
        position += 1
    }
}
