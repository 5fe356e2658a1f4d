/// The set of ASCII characters a text contains, and whether it contains any
/// other character. A tokenizer rule can match only if the text contains a
/// character of the rule's trigger, and one pass finds the set.
struct CharacterPresence: Sendable {
    /// A set of ASCII characters, optionally with "any non-ASCII character".
    struct Trigger: Sendable {
        var bits = ASCIIBits()
        var nonASCII: Bool

        init(_ characters: String, orNonASCII nonASCII: Bool = false) {
            for byte in characters.utf8 {
                precondition(byte < 0x80, "trigger \(characters) must be ASCII")
                bits.insert(byte)
            }
            self.nonASCII = nonASCII
        }
    }

    /// A 128-bit set of ASCII bytes.
    struct ASCIIBits: Sendable {
        var low: UInt64 = 0
        var high: UInt64 = 0

        mutating func insert(_ byte: UInt8) {
            if byte < 64 { low |= 1 << UInt64(byte) } else { high |= 1 << UInt64(byte - 64) }
        }

        func contains(_ byte: UInt8) -> Bool {
            byte < 64 ? low & (1 << UInt64(byte)) != 0 : high & (1 << UInt64(byte - 64)) != 0
        }

        func intersects(_ other: ASCIIBits) -> Bool { low & other.low != 0 || high & other.high != 0 }
    }

    private(set) var bits = ASCIIBits()
    private(set) var hasNonASCII = false

    /// Scans the UTF-8 of `text` once.
    init(_ text: String) {
        for byte in text.utf8 {
            if byte < 0x80 { bits.insert(byte) } else { hasNonASCII = true }
        }
    }

    /// Returns whether `byte` (ASCII) occurs in the text.
    func contains(_ byte: UInt8) -> Bool { bits.contains(byte) }

    /// Returns whether the text contains a character of `trigger`.
    func mayContain(_ trigger: Trigger) -> Bool {
        (trigger.nonASCII && hasNonASCII) || bits.intersects(trigger.bits)
    }

    /// Returns whether `text` (the text this was made from) may match a contraction rule.
    /// Non-ASCII text always may, because this does not model ICU's case folding.
    /// ASCII text may when a contraction's letters occur in a row, ignoring case.
    func mayContainContraction(in text: String) -> Bool {
        if hasNonASCII { return true }
        let lowered = text.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        return WordTokenizer.contractionCores.contains { core in
            guard lowered.count >= core.count else { return false }
            return (0...(lowered.count - core.count)).contains { start in
                lowered[start] == core[0] && lowered[start..<(start + core.count)].elementsEqual(core)
            }
        }
    }
}

extension UInt8 {
    /// Whether this byte is ASCII whitespace for ICU's `\s` and `Character.isWhitespace`:
    /// tab, line feed, vertical tab, form feed, carriage return or space.
    var isASCIIWhitespace: Bool { self == 0x20 || (self >= 0x09 && self <= 0x0D) }
}
