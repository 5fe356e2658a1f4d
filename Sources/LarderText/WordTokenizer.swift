import Foundation

/// Penn Treebank-style word tokenization that reproduces NLTK's
/// `word_tokenize` (checked against NLTK 3.10 on real recipe lines by the
/// tests): the text is split into sentences by `PunktSentenceSplitter`, then
/// each sentence by the rules of NLTK's `NLTKWordTokenizer` (an improved
/// Treebank tokenizer): quotes become `` and '', punctuation and brackets
/// are split off, a period is split off only at the end of a sentence,
/// and contractions split as `do n't`, `it 's`, `can not`, `gon na`.
///
/// The input is expected to be lowercased already, as the recipe pipeline
/// does; see `PunktSentenceSplitter` for why that matters.
public enum WordTokenizer {
    /// Returns the tokens of `text`.
    /// - Complexity: O(n) regular-expression passes over the text, each linear in practice.
    public static func tokenize(_ text: String) -> [String] {
        PunktSentenceSplitter.english.sentences(in: text).flatMap(tokenizeSentence)
    }

    /// Returns the tokens of one sentence (no sentence splitting), like `NLTKWordTokenizer().tokenize`.
    public static func tokenizeSentence(_ sentence: String) -> [String] {
        // One mutable buffer for all passes avoids converting between String and NSString per rule.
        let text = NSMutableString(string: sentence)
        for rule in startingQuotes { rule.apply(to: text) }
        for rule in punctuation { rule.apply(to: text) }
        brackets.apply(to: text)
        doubleDashes.apply(to: text)
        text.insert(" ", at: 0)
        text.append(" ")
        for rule in endingQuotes { rule.apply(to: text) }
        for rule in contractions { rule.apply(to: text) }
        return (text as String).split(whereSeparator: \.isWhitespace).map(String.init)
    }

    // MARK: - Rules, in NLTK's order

    /// Opening quotes: backticks and curly openers are split off, a leading or
    /// space-preceded `"` becomes ``, and a quote opening a word is split off
    /// unless it starts a contraction ('re, 've, 'll, 'm, 't, 's, 'd, 'n).
    private static let startingQuotes = [
        RegexRule(#"([«“‘„]|[`]+)"#, " $1 "),
        RegexRule(#"^""#, "``"),
        RegexRule(#"(``)"#, " $1 "),
        RegexRule(#"([ (\[{<])("|'{2})"#, "$1 `` "),
        RegexRule(#"(?i)(?<!\w)(')(?!(?:re|ve|ll|m|t|s|d|n)\b)(?=\w)"#, "$1 "),
    ]

    /// Punctuation: the sentence-final period (with closing quotes or
    /// brackets after it), commas and colons not followed by a digit,
    /// ellipses, `; @ # $ % &`, figure and em dashes, `? !`, a closing single
    /// quote and `*` are split off.
    private static let punctuation = [
        RegexRule(#"([^.])(\.)([\])}>"'»”’ ]*+)\s*$"#, "$1 $2 $3 "),
        RegexRule(#"([:,])([^\d])"#, " $1 $2"),
        RegexRule(#"([:,])$"#, " $1 "),
        RegexRule(#"\.{2,}"#, " $0 "),
        RegexRule(#"[;@#$%&]"#, " $0 "),
        RegexRule(#"[\u2012-\u2015]"#, " $0 "),
        RegexRule(#"([^.])(\.)([\])}>"']*)\s*$"#, "$1 $2$3 "),
        RegexRule(#"[?!]"#, " $0 "),
        RegexRule(#"([^'])' "#, "$1 ' "),
        RegexRule(#"[*]"#, " $0 "),
    ]

    private static let brackets = RegexRule(#"[\]\[(){}<>]"#, " $0 ")
    private static let doubleDashes = RegexRule(#"--"#, " -- ")

    /// Closing quotes become '' and clitics ('s, 'm, 'd, 'll, 're, 've, n't) are split off.
    private static let endingQuotes = [
        RegexRule(#"([»”’])"#, " $1 "),
        RegexRule(#"''"#, " '' "),
        RegexRule(#"""#, " '' "),
        RegexRule(#"\s+"#, " "),
        RegexRule(#"([^' ])('[sS]|'[mM]|'[dD]|') "#, "$1 $2 "),
        RegexRule(#"([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) "#, "$1 $2 "),
    ]

    /// Robert MacIntyre's contractions, as NLTK splits them: cannot, d'ye,
    /// gimme, gonna, gotta, lemme, more'n, wanna, 'tis, 'twas.
    private static let contractions = [
        RegexRule(#"(?i)\b(can)(not)\b"#, " $1 $2 "),
        RegexRule(#"(?i)\b(d)('ye)\b"#, " $1 $2 "),
        RegexRule(#"(?i)\b(gim)(me)\b"#, " $1 $2 "),
        RegexRule(#"(?i)\b(gon)(na)\b"#, " $1 $2 "),
        RegexRule(#"(?i)\b(got)(ta)\b"#, " $1 $2 "),
        RegexRule(#"(?i)\b(lem)(me)\b"#, " $1 $2 "),
        RegexRule(#"(?i)\b(more)('n)\b"#, " $1 $2 "),
        RegexRule(#"(?i)\b(wan)(na)(?=\s)"#, " $1 $2 "),
        RegexRule(#"(?i) ('t)(is)\b"#, " $1 $2 "),
        RegexRule(#"(?i) ('t)(was)\b"#, " $1 $2 "),
    ]
}
