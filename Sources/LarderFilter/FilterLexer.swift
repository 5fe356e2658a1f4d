/// One token of a FILTER expression.
enum FilterToken: Equatable {
    case number(Double)
    case string(String)
    case selector(String)
    case keyword(String)       // true, false, null, and, or, not, in
    case symbol(String)        // operators and punctuation
    case end

    var text: String {
        switch self {
        case .number(let value): return "\(value)"
        case .string(let value): return "\"\(value)\""
        case .selector(let name): return ".\(name)"
        case .keyword(let word), .symbol(let word): return word
        case .end: return "end of expression"
        }
    }
}

/// Splits a FILTER expression into tokens with their byte offsets.
struct FilterLexer {
    private static let symbols = ["**", "==", "!=", ">=", "<=", "&&", "||",
                                  "+", "-", "*", "/", "%", ">", "<", "!", "(", ")", "[", "]", ","]
    private static let keywords: Set<String> = ["true", "false", "null", "and", "or", "not", "in"]

    static func tokenize(_ text: String) throws -> [(token: FilterToken, offset: Int)] {
        let bytes = Array(text.utf8)
        var tokens: [(FilterToken, Int)] = []
        var index = 0

        while index < bytes.count {
            let byte = bytes[index]
            if byte == 32 || byte == 9 || byte == 10 || byte == 13 {
                index += 1
                continue
            }
            let start = index
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                tokens.append((.string(try readString(bytes, &index, quote: byte)), start))
            } else if isDigit(byte) || (byte == UInt8(ascii: ".") && index + 1 < bytes.count && isDigit(bytes[index + 1])) {
                tokens.append((.number(try readNumber(bytes, &index)), start))
            } else if byte == UInt8(ascii: ".") {
                tokens.append((.selector(try readSelector(bytes, &index)), start))
            } else if isIdentifierStart(byte) {
                while index < bytes.count, isIdentifierPart(bytes[index]) { index += 1 }
                let word = String(decoding: bytes[start..<index], as: UTF8.self)
                guard keywords.contains(word) else {
                    throw FilterParseError.unexpectedToken(word, offset: start,
                                                           expected: "a value, a .field selector or an operator")
                }
                tokens.append((.keyword(word), start))
            } else if let symbol = symbols.first(where: { matches($0, bytes, at: index) }) {
                index += symbol.utf8.count
                tokens.append((.symbol(symbol), start))
            } else {
                let scalar = String(decoding: bytes[index...].prefix(4), as: UTF8.self).first ?? "?"
                throw FilterParseError.unexpectedCharacter(scalar, offset: start)
            }
        }
        tokens.append((.end, bytes.count))
        return tokens
    }

    // MARK: - Pieces

    private static func isDigit(_ byte: UInt8) -> Bool { (48...57).contains(byte) }

    private static func isIdentifierStart(_ byte: UInt8) -> Bool {
        (65...90).contains(byte) || (97...122).contains(byte) || byte == UInt8(ascii: "_")
    }

    private static func isIdentifierPart(_ byte: UInt8) -> Bool { isIdentifierStart(byte) || isDigit(byte) }

    private static func matches(_ symbol: String, _ bytes: [UInt8], at index: Int) -> Bool {
        let expected = Array(symbol.utf8)
        guard bytes.count - index >= expected.count else { return false }
        return Array(bytes[index..<(index + expected.count)]) == expected
    }

    private static func readString(_ bytes: [UInt8], _ index: inout Int, quote: UInt8) throws -> String {
        let start = index
        index += 1
        var content: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\\"), index + 1 < bytes.count {
                content.append(bytes[index + 1])
                index += 2
                continue
            }
            if byte == quote {
                index += 1
                return String(decoding: content, as: UTF8.self)
            }
            content.append(byte)
            index += 1
        }
        throw FilterParseError.unterminatedString(offset: start)
    }

    private static func readNumber(_ bytes: [UInt8], _ index: inout Int) throws -> Double {
        let start = index
        while index < bytes.count, isDigit(bytes[index]) || bytes[index] == UInt8(ascii: ".") { index += 1 }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") { index += 1 }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard let value = Double(text) else { throw FilterParseError.invalidNumber(text, offset: start) }
        return value
    }

    private static func readSelector(_ bytes: [UInt8], _ index: inout Int) throws -> String {
        let start = index
        index += 1
        let nameStart = index
        while index < bytes.count, isIdentifierPart(bytes[index]) { index += 1 }
        guard index > nameStart else { throw FilterParseError.emptySelector(offset: start) }
        if index < bytes.count, bytes[index] == UInt8(ascii: "."), index + 1 < bytes.count,
           isIdentifierStart(bytes[index + 1]) {
            var end = index + 1
            while end < bytes.count, isIdentifierPart(bytes[end]) || bytes[end] == UInt8(ascii: ".") { end += 1 }
            throw FilterParseError.nestedSelector(String(decoding: bytes[start..<end], as: UTF8.self), offset: start)
        }
        return String(decoding: bytes[nameStart..<index], as: UTF8.self)
    }
}
