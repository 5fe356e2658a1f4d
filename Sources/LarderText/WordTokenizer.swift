import Foundation

/// Penn Treebank-style word tokenization that reproduces NLTK's
/// `word_tokenize` (checked against NLTK 3.10 on real recipe lines by the
/// tests): the text is split into sentences by `PunktSentenceSplitter`, then
/// each sentence by the rules of NLTK's `NLTKWordTokenizer` (an improved
/// Treebank tokenizer): quotes become `` and '', punctuation and brackets
/// are split off, a period is split off only at the end of a sentence,
/// and contractions split as `do n't`, `it 's`, `can not`, `gon na`.
///
/// Most rules cannot match most lines (a line without `?` or `!` cannot
/// gain a split at one), so each rule carries a cheap test on which
/// characters the text holds and is skipped when it cannot match; the
/// whitespace-collapsing rule is a byte scan for ASCII text. Both only
/// skip work: the output equals applying every rule, which
/// `referenceTokenize(_:)` does for the parity tests.
///
/// The input is expected to be lowercased already, as the recipe pipeline
/// does; see `PunktSentenceSplitter` for why that matters.
public enum WordTokenizer {
    /// Returns the tokens of `text`.
    /// - Complexity: O(n) per rule that can match, plus one O(n) scan per rule group.
    public static func tokenize(_ text: String) -> [String] {
        PunktSentenceSplitter.english.sentences(in: text).flatMap(tokenizeSentence)
    }

    /// Returns the tokens of one sentence (no sentence splitting), like `NLTKWordTokenizer().tokenize`.
    public static func tokenizeSentence(_ sentence: String) -> [String] {
        // One mutable buffer for all passes avoids converting between String and NSString per rule.
        let text = NSMutableString(string: sentence)
        var present = CharacterPresence(sentence)
        apply(startingQuotes, to: text, present: present)
        present = CharacterPresence(text as String)
        apply(punctuation, to: text, present: present)
        if present.mayContain(brackets.trigger) { brackets.rule.apply(to: text) }
        if present.contains(UInt8(ascii: "-")) { doubleDashes.apply(to: text) }
        text.insert(" ", at: 0)
        text.append(" ")
        present = CharacterPresence(text as String)
        apply(closingQuotes, to: text, present: present)
        collapseWhitespace(in: text, present: present)
        apply(clitics, to: text, present: present)
        let collapsed = text as String
        let final = CharacterPresence(collapsed)
        if final.mayContainContraction(in: collapsed) {
            for rule in contractions { rule.apply(to: text) }
        }
        // The contraction rules add only spaces, so `final` still records whether the text is ASCII.
        return final.hasNonASCII ? (text as String).split(whereSeparator: \.isWhitespace).map(String.init)
            : asciiWords(in: text as String)
    }

    // MARK: - Reference path

    /// Tokenizes by applying every rule through `NSRegularExpression`, with
    /// no skipping: the definition `tokenize(_:)` must match exactly.
    static func referenceTokenize(_ text: String) -> [String] {
        PunktSentenceSplitter.english.sentences(in: text).flatMap(referenceTokenizeSentence)
    }

    /// `tokenizeSentence(_:)` without skipping: every rule, in NLTK's order.
    static func referenceTokenizeSentence(_ sentence: String) -> [String] {
        let text = NSMutableString(string: sentence)
        for rule in startingQuotes { rule.rule.apply(to: text) }
        for rule in punctuation { rule.rule.apply(to: text) }
        brackets.rule.apply(to: text)
        doubleDashes.apply(to: text)
        text.insert(" ", at: 0)
        text.append(" ")
        for rule in closingQuotes { rule.rule.apply(to: text) }
        whitespace.apply(to: text)
        for rule in clitics { rule.rule.apply(to: text) }
        for rule in contractions { rule.apply(to: text) }
        return (text as String).split(whereSeparator: \.isWhitespace).map(String.init)
    }

    // MARK: - Fast passes

    private static func apply(_ rules: [GuardedRule], to text: NSMutableString, present: CharacterPresence) {
        for rule in rules where present.mayContain(rule.trigger) {
            rule.rule.apply(to: text)
        }
    }

    /// Replaces each run of whitespace by one space, as `\s+` → " " does.
    /// ASCII text is scanned byte by byte, because ICU's `\s` in ASCII is just
    /// tab, line feed, vertical tab, form feed, carriage return and space.
    /// Other text goes through the regular expression.
    private static func collapseWhitespace(in text: NSMutableString, present: CharacterPresence) {
        guard !present.hasNonASCII else {
            whitespace.apply(to: text)
            return
        }
        var bytes: [UInt8] = []
        var changed = false
        var inRun = false
        let source = text as String
        bytes.reserveCapacity(source.utf8.count)
        for byte in source.utf8 {
            let isSpace = byte.isASCIIWhitespace
            if isSpace {
                if inRun || byte != 0x20 { changed = true }
                if !inRun { bytes.append(0x20) }
                inRun = true
            } else {
                bytes.append(byte)
                inRun = false
            }
        }
        if changed { text.setString(String(decoding: bytes, as: UTF8.self)) }
    }

    /// Splits ASCII text at whitespace (the characters `Character.isWhitespace` accepts in ASCII).
    private static func asciiWords(in text: String) -> [String] {
        var words: [String] = []
        var utf8 = text
        utf8.withUTF8 { bytes in
            var start = 0
            for index in 0...bytes.count {
                let isSeparator = index == bytes.count || bytes[index].isASCIIWhitespace
                guard isSeparator else { continue }
                if index > start {
                    words.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
                }
                start = index + 1
            }
        }
        return words
    }
}
