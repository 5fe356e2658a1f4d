import Foundation

/// Sentence splitting with the Punkt algorithm (Kiss and Strunk, 2006,
/// "Unsupervised Multilingual Sentence Boundary Detection"), following the
/// decision procedure of NLTK's `PunktSentenceTokenizer` (NLTK 3.10) so that
/// `WordTokenizer` reproduces `nltk.word_tokenize`.
///
/// Each `.`, `?` or `!` followed by punctuation or by whitespace and a token
/// is a candidate. The word before it, the mark and what follows are split
/// into Punkt tokens and annotated: a first pass marks sentence breaks,
/// abbreviations and ellipses by token type, and a second pass revises
/// initials, numbers and known collocations using the next token's
/// orthographic context. Closing quotes and brackets after a break are then
/// moved back into the sentence they close.
///
/// NOTE: only the parts of the English model that can fire on lowercase text
/// are stored (see `PunktParameters`). Larder lowercases before tokenizing, as
/// the pipeline of Salvador et al. (CVPR 2021) does; capitalized words are treated as having unknown
/// orthographic context, which can miss a break NLTK would find.
public struct PunktSentenceSplitter: Sendable {
    /// The model parameters.
    let parameters: PunktParameters

    /// A splitter with NLTK's English Punkt parameters.
    public static let english = PunktSentenceSplitter(parameters: .english)

    /// Returns the sentences of `text`, in order, as substrings of it.
    public func sentences(in text: String) -> [String] {
        let string = text as NSString
        return spans(in: text).map { string.substring(with: $0) }
    }

    // MARK: - Candidate boundaries

    /// Returns sentence ranges (UTF-16), like NLTK's `span_tokenize` with realignment.
    func spans(in text: String) -> [NSRange] {
        let string = text as NSString
        // Without a sentence-ending mark there is no candidate, so the whole
        // text (trailing whitespace removed) is one sentence.
        if string.rangeOfCharacter(from: Self.sentenceEndMarks).location == NSNotFound {
            let trimmedEnd = Self.lengthWithoutTrailingWhitespace(text)
            return trimmedEnd > 0 ? [NSRange(location: 0, length: trimmedEnd)] : []
        }
        var slices: [NSRange] = []
        var lastBreak = 0
        for candidate in candidates(in: string) where containsBreak(candidate.context) {
            let end = NSMaxRange(candidate.match.range)
            slices.append(NSRange(location: lastBreak, length: end - lastBreak))
            let next = candidate.match.range(at: 2)
            lastBreak = next.location != NSNotFound ? next.location : end
        }
        let trimmedEnd = Self.lengthWithoutTrailingWhitespace(text)
        slices.append(NSRange(location: lastBreak, length: max(0, trimmedEnd - lastBreak)))
        return realign(slices, in: string)
    }

    /// Returns the UTF-16 length of `text` without trailing whitespace, as removing `\s+$` gives.
    /// ASCII text is scanned byte by byte, and other text goes through the regular expression.
    static func lengthWithoutTrailingWhitespace(_ text: String) -> Int {
        var length = 0
        var isASCII = true
        for (index, byte) in text.utf8.enumerated() {
            if byte >= 0x80 {
                isASCII = false
                break
            }
            if !byte.isASCIIWhitespace { length = index + 1 }
        }
        guard isASCII else {
            return (text.replacingOccurrences(of: #"\s+$"#, with: "", options: .regularExpression) as NSString).length
        }
        return length
    }

    private struct Candidate {
        var match: NSTextCheckingResult
        var context: String
    }

    /// Finds possible sentence ends with the text around each. A run of marks
    /// in one word ("!!!") yields only its last mark, as NLTK's
    /// `_match_potential_end_contexts` does.
    private func candidates(in string: NSString) -> [Candidate] {
        var result: [Candidate] = []
        var previousMatch: NSTextCheckingResult?
        var previousWord = NSRange(location: 0, length: 0)

        func context(of match: NSTextCheckingResult, word: NSRange) -> String {
            string.substring(with: word) + string.substring(with: match.range) + string.substring(with: match.range(at: 1))
        }

        let matches = Self.periodContext.expression.matches(in: string as String,
                                                            range: NSRange(location: 0, length: string.length))
        for match in matches {
            // The word before the mark starts after the last ASCII whitespace since the previous word's end.
            let searchStart = NSMaxRange(previousWord)
            var wordStart = previousWord.location
            var index = match.range.location - 1
            while index > searchStart {
                if Self.asciiWhitespace.contains(string.character(at: index)) {
                    wordStart = index + 1
                    break
                }
                index -= 1
            }
            let word = NSRange(location: wordStart, length: match.range.location - wordStart)
            if let previousMatch, NSMaxRange(previousWord) <= word.location {
                result.append(Candidate(match: previousMatch, context: context(of: previousMatch, word: previousWord)))
            }
            previousMatch = match
            previousWord = word
        }
        if let previousMatch {
            result.append(Candidate(match: previousMatch, context: context(of: previousMatch, word: previousWord)))
        }
        return result
    }

    private static let sentenceEndMarks = CharacterSet(charactersIn: ".?!")

    /// Python's `string.whitespace`, which NLTK uses to find the word before a mark.
    private static let asciiWhitespace: Set<unichar> = [0x20, 0x09, 0x0A, 0x0D, 0x0B, 0x0C]

    /// Moves closing quotes and brackets at the start of a sentence to the end of the one before.
    private func realign(_ slices: [NSRange], in string: NSString) -> [NSRange] {
        var result: [NSRange] = []
        var shift = 0
        for (index, slice) in slices.enumerated() {
            let current = NSRange(location: slice.location + shift, length: max(0, slice.length - shift))
            guard index + 1 < slices.count else {
                if current.length > 0 { result.append(current) }
                break
            }
            let next = slices[index + 1]
            if let closing = Self.boundaryRealignment.expression.firstMatch(
                in: string as String, options: .anchored, range: next) {
                let kept = string.substring(with: closing.range)
                    .replacingOccurrences(of: #"\s+$"#, with: "", options: .regularExpression)
                let end = next.location + (kept as NSString).length
                result.append(NSRange(location: current.location, length: end - current.location))
                shift = closing.range.length
            } else {
                shift = 0
                if current.length > 0 { result.append(current) }
            }
        }
        return result
    }

    // MARK: - Annotation

    /// Returns whether a token other than the last one of `context` ends a sentence (NLTK's `text_contains_sentbreak`).
    private func containsBreak(_ context: String) -> Bool {
        let tokens = annotate(words(in: context))
        return tokens.dropLast().contains { $0.isSentenceBreak }
    }

    /// Splits text into Punkt word tokens line by line, skipping blank lines.
    private func words(in text: String) -> [PunktToken] {
        var tokens: [PunktToken] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        where !line.allSatisfy(\.isWhitespace) {
            let string = line as NSString
            for match in Self.word.expression.matches(in: line, range: NSRange(location: 0, length: string.length)) {
                tokens.append(PunktToken(string.substring(with: match.range)))
            }
        }
        return tokens
    }

    private func annotate(_ input: [PunktToken]) -> [PunktToken] {
        var tokens = input
        for index in tokens.indices { annotateByType(&tokens[index]) }
        for index in tokens.indices.dropLast() {
            annotateInContext(&tokens[index], next: tokens[index + 1])
        }
        return tokens
    }

    /// First pass: marks come from the token's type alone.
    private func annotateByType(_ token: inout PunktToken) {
        let text = token.text
        if text == "." || text == "?" || text == "!" {
            token.isSentenceBreak = true
        } else if token.isEllipsis {
            // An ellipsis is neither a break nor an abbreviation until the second pass.
        } else if token.isPeriodFinal && !text.hasSuffix("..") {
            let stem = String(text.dropLast()).lowercased()
            let lastPart = stem.split(separator: "-", omittingEmptySubsequences: false).last.map(String.init) ?? stem
            if parameters.abbreviations.contains(stem) || parameters.abbreviations.contains(lastPart) {
                token.isAbbreviation = true
            } else {
                token.isSentenceBreak = true
            }
        }
    }

    /// Second pass: revises a period-final token using the token after it.
    private func annotateInContext(_ token: inout PunktToken, next: PunktToken) {
        guard token.isPeriodFinal else { return }
        let type = token.typeWithoutPeriod
        let nextType = next.typeWithoutSentencePeriod
        if parameters.collocations.contains(PunktParameters.Collocation(first: type, second: nextType)) {
            token.isSentenceBreak = false
            token.isAbbreviation = true
            return
        }
        if (token.isAbbreviation || token.isEllipsis) && !token.isInitial {
            if orthographicEvidence(next) == .startsSentence
                || (next.startsUppercase && parameters.sentenceStarters.contains(nextType)) {
                token.isSentenceBreak = true
                return
            }
        }
        if token.isInitial || type == PunktToken.numberType {
            if orthographicEvidence(next) == .continuesSentence {
                token.isSentenceBreak = false
                token.isAbbreviation = true
            }
        }
    }

    private enum Evidence { case startsSentence, continuesSentence, unknown }

    /// Judges whether `token` starts a sentence from how the training corpus capitalized its type.
    private func orthographicEvidence(_ token: PunktToken) -> Evidence {
        if [";", ":", ",", ".", "!", "?"].contains(token.text) { return .continuesSentence }
        if token.startsLowercase {
            // A lowercase word continues the sentence unless the corpus saw it
            // lowercase at a sentence start and never capitalized.
            return parameters.lowercaseSentenceStarters.contains(token.typeWithoutSentencePeriod)
                ? .unknown : .continuesSentence
        }
        return .unknown
    }

    // MARK: - Patterns (NLTK's English Punkt language variables)

    private static let nonWord = #"(?:[)";}\]*:@'({\[\u2018\u2019\u201c\u201d\u00ab\u00bb?!])"#
    private static let multiCharacter = #"(?:-{2,}|\.{2,}|(?:\.\s){2,}\.)"#
    private static let wordStart = #"[^("`{\[:;&#*@)}\]\-,]"#

    /// A Punkt word: multi-character punctuation, a run up to whitespace or
    /// punctuation that cannot be inside a word, or one other character.
    private static let word = RegexRule(
        "(" + multiCharacter + "|(?=" + wordStart + #")\S+?(?=\s|$|"# + nonWord + "|" + multiCharacter
            + ",(?=$|\\s|" + nonWord + "|" + multiCharacter + "))|\\S)")
    /// A sentence-ending mark followed by punctuation (group 1) or whitespace and a token (group 2).
    private static let periodContext = RegexRule(#"[.?!](?=("# + nonWord + #"|\s+(\S+)))"#)
    /// Closing punctuation at the start of a sentence that belongs to the previous one.
    private static let boundaryRealignment = RegexRule(
        #"["')\]}\u2018\u2019\u201c\u201d\u00ab\u00bb]+?(?:\s+|(?=--)|$)"#, options: [.anchorsMatchLines])
}

// MARK: - Tokens

/// A Punkt word token with its annotations.
struct PunktToken {
    static let numberType = "##number##"
    private static let numeric = RegexRule(#"^-?[.,]?\d[\d,.\-]*\.?$"#)
    private static let initial = RegexRule(#"[^\W\d]\."#)

    let text: String
    /// Lowercased text, or `##number##` for numbers.
    let type: String
    var isSentenceBreak = false
    var isAbbreviation = false
    var isEllipsis: Bool

    init(_ text: String) {
        self.text = text
        let lowercased = text.lowercased()
        type = Self.numeric.matchesWhole(lowercased) ? Self.numberType : lowercased
        isEllipsis = text.count >= 2 && text.allSatisfy { $0 == "." }
    }

    var isPeriodFinal: Bool { text.hasSuffix(".") }
    var isInitial: Bool { Self.initial.matchesWhole(text) }
    var startsUppercase: Bool { text.first?.isUppercase ?? false }
    var startsLowercase: Bool { text.first?.isLowercase ?? false }

    var typeWithoutPeriod: String {
        type.count > 1 && type.hasSuffix(".") ? String(type.dropLast()) : type
    }

    var typeWithoutSentencePeriod: String { isSentenceBreak ? typeWithoutPeriod : type }
}
