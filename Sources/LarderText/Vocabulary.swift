import Foundation

/// The word list of a recipe model: token id = position in `tokens`.
///
/// The layout follows Salvador et al. (CVPR 2021): `<pad>` is id 0,
/// `<start>` and `<end>` mark sentence boundaries, and `<unk>` stands for
/// every word not in the list. The file form is one token a line, line N
/// (from 0) being id N.
public struct Vocabulary: Sendable, Equatable {
    /// Padding token, always id 0.
    public static let paddingToken = "<pad>"
    /// Token placed before each sentence.
    public static let startToken = "<start>"
    /// Token placed after each sentence.
    public static let endToken = "<end>"
    /// Token for words outside the vocabulary.
    public static let unknownToken = "<unk>"

    /// Tokens in id order.
    public let tokens: [String]
    private let ids: [String: Int]
    /// Id of `<start>`.
    public let startID: Int
    /// Id of `<end>`.
    public let endID: Int
    /// Id of `<unk>`.
    public let unknownID: Int

    /// Creates a vocabulary from tokens in id order.
    /// - Throws: `VocabularyError` when `<pad>` is not first, a special token
    ///   is missing, or a token is empty, contains whitespace or repeats.
    public init(tokens: [String]) throws {
        guard tokens.first == Self.paddingToken else {
            throw VocabularyError.paddingNotFirst(found: tokens.first)
        }
        var ids: [String: Int] = [:]
        ids.reserveCapacity(tokens.count)
        for (id, token) in tokens.enumerated() {
            guard !token.isEmpty, !token.contains(where: \.isWhitespace) else {
                throw VocabularyError.invalidToken(id: id, token: token)
            }
            if let first = ids[token] { throw VocabularyError.duplicateToken(token, firstID: first, secondID: id) }
            ids[token] = id
        }
        func require(_ token: String) throws -> Int {
            guard let id = ids[token] else { throw VocabularyError.missingSpecialToken(token) }
            return id
        }
        self.tokens = tokens
        self.ids = ids
        startID = try require(Self.startToken)
        endID = try require(Self.endToken)
        unknownID = try require(Self.unknownToken)
    }

    /// Parses the file form: one token a line (a final newline is optional).
    public init(text: String) throws {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        try self.init(tokens: lines)
    }

    /// Reads a vocabulary file.
    /// - Throws: `VocabularyError.unreadable` or a validation error.
    public init(contentsOf url: URL) throws {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw VocabularyError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        try self.init(text: text)
    }

    /// The file form: one token a line, ending with a newline.
    public var text: String { tokens.joined(separator: "\n") + "\n" }

    /// Number of tokens, the size the word embedding must have.
    public var count: Int { tokens.count }

    /// Returns the id of `token`, or `unknownID` when it is not in the vocabulary.
    public func id(of token: String) -> Int { ids[token] ?? unknownID }

    /// Returns whether `token` has its own id.
    public func contains(_ token: String) -> Bool { ids[token] != nil }
}

// MARK: - Building

extension Vocabulary {
    /// Builds a vocabulary the way the preprocessing of Salvador et al. (CVPR 2021) does: `<pad>`,
    /// `<start>`, `<end>`, then every word seen at least `minimumCount` times
    /// in order of first appearance, then `<unk>`.
    /// - Parameter sentences: tokenized text, for example `WordTokenizer.tokenize`
    ///   of each lowercased title, ingredient and instruction.
    public static func build(from sentences: some Sequence<[String]>, minimumCount: Int) -> Vocabulary {
        var counts: [String: Int] = [:]
        var order: [String] = []
        for sentence in sentences {
            for word in sentence {
                if counts[word] == nil { order.append(word) }
                counts[word, default: 0] += 1
            }
        }
        let special: Set = [paddingToken, startToken, endToken, unknownToken]
        // Empty tokens and tokens with whitespace cannot be stored one per line, so they are dropped.
        let words = order.filter {
            counts[$0]! >= minimumCount && !special.contains($0) && !$0.isEmpty && !$0.contains(where: \.isWhitespace)
        }
        // The filter above removes every token the initializer rejects, so this cannot fail.
        return try! Vocabulary(tokens: [paddingToken, startToken, endToken] + words + [unknownToken])
    }
}

/// A vocabulary that cannot be used.
public enum VocabularyError: Error, Equatable, CustomStringConvertible {
    case paddingNotFirst(found: String?)
    case missingSpecialToken(String)
    case invalidToken(id: Int, token: String)
    case duplicateToken(String, firstID: Int, secondID: Int)
    case unreadable(path: String, reason: String)

    public var description: String {
        switch self {
        case .paddingNotFirst(let found):
            return "invalid vocabulary: id 0 must be '\(Vocabulary.paddingToken)', found '\(found ?? "nothing")'"
        case .missingSpecialToken(let token):
            return "invalid vocabulary: missing the special token '\(token)'; add it on its own line"
        case .invalidToken(let id, let token):
            return "invalid vocabulary: token \(id) '\(token)' is empty or contains whitespace"
        case .duplicateToken(let token, let first, let second):
            return "invalid vocabulary: token '\(token)' appears as id \(first) and id \(second)"
        case .unreadable(let path, let reason):
            return "cannot read vocabulary file \(path): \(reason)"
        }
    }
}
