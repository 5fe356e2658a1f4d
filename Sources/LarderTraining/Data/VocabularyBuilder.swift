/// Builds a word vocabulary from tokenized training text, in the layout of
/// the published vocabulary of Salvador et al. (CVPR 2021): `<pad>` (id 0),
/// `<start>`, `<end>`, then the words, then `<unk>` last.
public enum VocabularyBuilder {
    /// Tokens that the builder places itself and never counts as words.
    public static let padding = "<pad>", start = "<start>", end = "<end>", unknown = "<unk>"

    /// The vocabulary's tokens in id order: the special tokens, then every word
    /// seen at least `minimumCount` times (10 in the paper), most frequent
    /// first and alphabetically among equal counts, so the order is reproducible.
    public static func tokens(counting sentences: some Sequence<[String]>, minimumCount: Int) -> [String] {
        var counts: [String: Int] = [:]
        let special: Set<String> = [padding, start, end, unknown]
        for sentence in sentences {
            for token in sentence where !special.contains(token) {
                counts[token, default: 0] += 1
            }
        }
        let words = counts.filter { $0.value >= max(minimumCount, 1) }
            .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map(\.key)
        return [padding, start, end] + words + [unknown]
    }
}
