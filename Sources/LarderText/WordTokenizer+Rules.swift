extension WordTokenizer {
    /// A Treebank rule with its trigger: the rule can match only a text
    /// that contains at least one of the trigger's characters.
    struct GuardedRule: Sendable {
        let rule: RegexRule
        let trigger: CharacterPresence.Trigger

        init(_ pattern: String, _ template: String, needs trigger: CharacterPresence.Trigger) {
            rule = RegexRule(pattern, template)
            self.trigger = trigger
        }
    }

    // MARK: - Rules, in NLTK's order

    // A rule group's triggers are tested against the characters present when
    // the group starts. Within a group the templates add only spaces, except
    // where a trigger below lists the character a rule before it turns into
    // the one it needs (`"` into `` or '').

    /// Opening quotes: backticks and curly openers are split off, a leading or
    /// space-preceded `"` becomes ``, and a quote opening a word is split off
    /// unless it starts a contraction ('re, 've, 'll, 'm, 't, 's, 'd, 'n).
    static let startingQuotes = [
        GuardedRule(#"([«“‘„]|[`]+)"#, " $1 ", needs: .init("`", orNonASCII: true)),
        GuardedRule(#"^""#, "``", needs: .init("\"")),
        GuardedRule(#"(``)"#, " $1 ", needs: .init("`\"")),
        GuardedRule(#"([ (\[{<])("|'{2})"#, "$1 `` ", needs: .init("\"'")),
        GuardedRule(#"(?i)(?<!\w)(')(?!(?:re|ve|ll|m|t|s|d|n)\b)(?=\w)"#, "$1 ", needs: .init("'")),
    ]

    /// Punctuation: the sentence-final period (with closing quotes or
    /// brackets after it), commas and colons not followed by a digit,
    /// ellipses, `; @ # $ % &`, figure and em dashes, `? !`, a closing single
    /// quote and `*` are split off.
    static let punctuation = [
        GuardedRule(#"([^.])(\.)([\])}>"'»”’ ]*+)\s*$"#, "$1 $2 $3 ", needs: .init(".")),
        GuardedRule(#"([:,])([^\d])"#, " $1 $2", needs: .init(":,")),
        GuardedRule(#"([:,])$"#, " $1 ", needs: .init(":,")),
        GuardedRule(#"\.{2,}"#, " $0 ", needs: .init(".")),
        GuardedRule(#"[;@#$%&]"#, " $0 ", needs: .init(";@#$%&")),
        GuardedRule(#"[\u2012-\u2015]"#, " $0 ", needs: .init("", orNonASCII: true)),
        GuardedRule(#"([^.])(\.)([\])}>"']*)\s*$"#, "$1 $2$3 ", needs: .init(".")),
        GuardedRule(#"[?!]"#, " $0 ", needs: .init("?!")),
        GuardedRule(#"([^'])' "#, "$1 ' ", needs: .init("'")),
        GuardedRule(#"[*]"#, " $0 ", needs: .init("*")),
    ]

    static let brackets = GuardedRule(#"[\]\[(){}<>]"#, " $0 ", needs: .init("[](){}<>"))
    static let doubleDashes = RegexRule(#"--"#, " -- ")

    /// Closing quotes become ''.
    static let closingQuotes = [
        GuardedRule(#"([»”’])"#, " $1 ", needs: .init("", orNonASCII: true)),
        GuardedRule(#"''"#, " '' ", needs: .init("'")),
        GuardedRule(#"""#, " '' ", needs: .init("\"")),
    ]

    /// Whitespace runs become one space (between the closing quotes and the clitics in NLTK's list).
    static let whitespace = RegexRule(#"\s+"#, " ")

    /// Clitics ('s, 'm, 'd, 'll, 're, 've, n't) are split off; the quote may come from a `"` turned into ''.
    static let clitics = [
        GuardedRule(#"([^' ])('[sS]|'[mM]|'[dD]|') "#, "$1 $2 ", needs: .init("'\"")),
        GuardedRule(#"([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) "#, "$1 $2 ", needs: .init("'\"")),
    ]

    /// Robert MacIntyre's contractions, as NLTK splits them: cannot, d'ye,
    /// gimme, gonna, gotta, lemme, more'n, wanna, 'tis, 'twas.
    static let contractions = [
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

    /// The letters each contraction rule needs in a row, lowercased.
    static let contractionCores: [[UInt8]] = ["cannot", "d'ye", "gimme", "gonna", "gotta", "lemme", "more'n",
                                              "wanna", "'tis", "'twas"].map { Array($0.utf8) }
}
