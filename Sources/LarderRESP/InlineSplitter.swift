/// Splits an inline command line into words the way redis-cli and Redis do:
/// words are separated by spaces or tabs; `"..."` supports the escapes
/// `\n \r \t \b \a \\ \"` and `\xHH`; `'...'` supports only `\'`.
enum InlineSplitter {
    static func split(_ line: ArraySlice<UInt8>) throws -> [[UInt8]] {
        var words: [[UInt8]] = []
        var index = line.startIndex
        let end = line.endIndex

        while true {
            while index < end, isSpace(line[index]) { index += 1 }
            guard index < end else { return words }

            var word: [UInt8] = []
            switch line[index] {
            case UInt8(ascii: "\""):
                index = try readDoubleQuoted(line, from: index + 1, into: &word)
            case UInt8(ascii: "'"):
                index = try readSingleQuoted(line, from: index + 1, into: &word)
            default:
                while index < end, !isSpace(line[index]) {
                    word.append(line[index])
                    index += 1
                }
            }
            words.append(word)
        }
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 32 || byte == 9 || byte == 13 || byte == 11 || byte == 12
    }

    /// Reads up to the closing quote, which must be followed by a space or the end.
    private static func readDoubleQuoted(_ line: ArraySlice<UInt8>, from start: Int,
                                         into word: inout [UInt8]) throws -> Int {
        var index = start
        while index < line.endIndex {
            let byte = line[index]
            if byte == UInt8(ascii: "\\"), index + 1 < line.endIndex {
                let escaped = line[index + 1]
                if escaped == UInt8(ascii: "x"), index + 3 < line.endIndex,
                   let high = hexValue(line[index + 2]), let low = hexValue(line[index + 3]) {
                    word.append(high << 4 | low)
                    index += 4
                    continue
                }
                word.append(unescape(escaped))
                index += 2
                continue
            }
            if byte == UInt8(ascii: "\"") {
                return try closingQuote(line, at: index)
            }
            word.append(byte)
            index += 1
        }
        throw RESPProtocolError.unbalancedQuotes
    }

    private static func readSingleQuoted(_ line: ArraySlice<UInt8>, from start: Int,
                                         into word: inout [UInt8]) throws -> Int {
        var index = start
        while index < line.endIndex {
            let byte = line[index]
            if byte == UInt8(ascii: "\\"), index + 1 < line.endIndex, line[index + 1] == UInt8(ascii: "'") {
                word.append(UInt8(ascii: "'"))
                index += 2
                continue
            }
            if byte == UInt8(ascii: "'") {
                return try closingQuote(line, at: index)
            }
            word.append(byte)
            index += 1
        }
        throw RESPProtocolError.unbalancedQuotes
    }

    private static func closingQuote(_ line: ArraySlice<UInt8>, at index: Int) throws -> Int {
        let next = index + 1
        if next < line.endIndex, !isSpace(line[next]) { throw RESPProtocolError.unbalancedQuotes }
        return next
    }

    private static func unescape(_ byte: UInt8) -> UInt8 {
        switch byte {
        case UInt8(ascii: "n"): return 10
        case UInt8(ascii: "r"): return 13
        case UInt8(ascii: "t"): return 9
        case UInt8(ascii: "b"): return 8
        case UInt8(ascii: "a"): return 7
        default: return byte
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
