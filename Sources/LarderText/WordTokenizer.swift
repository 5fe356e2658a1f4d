/// Placeholder, replaced by the NLTK-compatible tokenizer.
public enum WordTokenizer {
    public static func tokenize(_ text: String) -> [String] {
        text.split(whereSeparator: \.isWhitespace).map(String.init)
    }
}
