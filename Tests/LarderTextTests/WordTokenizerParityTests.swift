import Foundation
@testable import LarderText
import LarderTestSupport
import XCTest

/// The fast `WordTokenizer` path must give exactly the tokens of the
/// reference path, which applies every Treebank rule through ICU.
final class WordTokenizerParityTests: XCTestCase {
    /// Hand-written strings aimed at each rule and at the skip tests.
    static let synthetic: [String] = [
        "", " ", "   \t\n ", "a", ".", "..", "...", "a...", "wait... what?", "stir.", "stir. ", "stir .",
        #""don't" stir"#, #"he said "gonna" twice"#, "it's", "'tis the season", "'twas", "d'ye see", "more'n enough",
        "cannot", "CANNOT", "GoNnA", "wanna go", "wanna", "gimme lemme gotta", "can't won't shan't", "i'm you're we've",
        "they'll he'd", "rock 'n' roll", "'quoted'", "the cooks' knives", "``ticks``", "`single`", "''double''",
        "“curly” ‘single’ «guillemets» „low“", "½ cup, ¾ tsp", "1–2 minutes — or 3‒4 ― ok", "a--b", "a - b", "-- start",
        "(1 cup) [2 tbsp] {3} <4>", "see http://example.com/a,b?c=d&e=f#top.", "1,000.50 grams", "3.14", "a:b, c:1",
        "end:", "end,", "x; y @ z # $5 % & *", "wow!!! really??", "multiple    spaces\there", "trailing period.  ",
        "ellipsis....", "dr. smith. st. louis.", "bake at 350. remove.", "u.s.a. style.", "a.m. or p.m.",
        #"he said "hi.""#, "end.)", "end.) next.", "end.' next", "é café naïve.", "ſtir", "KELVIN K", "cafe\u{301}.",
        "tab\tand\u{a0}nbsp", "line\u{2028}sep", "emoji 🍰 cake.", "'s", "' s", "x' ", "o'clock", "ma'am.",
        "2' 3\" board", "don't.", "\"\"", "\"", "'", "''", "`", "?!", "(.)", "a.b.c", "a..b", "1. 2. 3.",
    ]

    func testSyntheticStringsMatchReference() {
        for text in Self.synthetic {
            XCTAssertEqual(WordTokenizer.tokenize(text), WordTokenizer.referenceTokenize(text), text.debugDescription)
            XCTAssertEqual(WordTokenizer.tokenizeSentence(text), WordTokenizer.referenceTokenizeSentence(text),
                           text.debugDescription)
            let lowered = text.lowercased()
            XCTAssertEqual(WordTokenizer.tokenize(lowered), WordTokenizer.referenceTokenize(lowered),
                           lowered.debugDescription)
        }
    }

    func testTrailingWhitespaceScanMatchesRegularExpression() {
        for text in Self.synthetic + Self.synthetic.map({ $0 + " \t\n" }) {
            let expected = (text.replacingOccurrences(of: #"\s+$"#, with: "", options: .regularExpression) as NSString)
                .length
            XCTAssertEqual(PunktSentenceSplitter.lengthWithoutTrailingWhitespace(text), expected, text.debugDescription)
        }
    }

    /// Compares both paths on the title, ingredient and instruction lines of
    /// the first recipes of `recipes.jsonl`, lowercased as the pipeline does,
    /// and prints each path's speed (lines per second) on those lines.
    /// `LARDER_TOKENIZER_PARITY_RECIPES` sets how many recipes (300 by default).
    func testRecipeLinesMatchReference() throws {
        let data = try SharedData.require().appendingPathComponent("recipes.jsonl")
        let recipes = ProcessInfo.processInfo.environment["LARDER_TOKENIZER_PARITY_RECIPES"].flatMap { Int($0) } ?? 300
        let lines = try Self.recipeLines(in: data, recipes: recipes)
        XCTAssertGreaterThan(lines.count, 2000)

        // Compile every rule (static lets) before timing either path.
        _ = lines.prefix(200).map(WordTokenizer.referenceTokenize)
        var start = Date()
        let fast = lines.map(WordTokenizer.tokenize)
        let fastSeconds = Date().timeIntervalSince(start)
        start = Date()
        let reference = lines.map(WordTokenizer.referenceTokenize)
        let referenceSeconds = Date().timeIntervalSince(start)

        var mismatches = 0
        for (index, line) in lines.enumerated() where fast[index] != reference[index] {
            mismatches += 1
            if mismatches <= 20 {
                XCTFail("\(line.debugDescription): fast \(fast[index]), reference \(reference[index])")
            }
        }
        XCTAssertEqual(mismatches, 0)
        let rate = { (seconds: Double) in Int((Double(lines.count) / seconds).rounded()) }
        print("tokenizer: \(lines.count) lines; reference \(rate(referenceSeconds)) lines/s, "
              + "fast \(rate(fastSeconds)) lines/s, speed-up \(String(format: "%.2f", referenceSeconds / fastSeconds))x")
    }

    /// Returns the lowercased lines of the first `recipes` records.
    static func recipeLines(in url: URL, recipes: Int) throws -> [String] {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var lines: [String] = []
        var buffer = Data()
        var read = 0
        while read < recipes {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let record = buffer[buffer.startIndex..<newline]
                buffer = buffer[(newline + 1)...]
                let recipe = try RecipeText(json: Data(record))
                lines += ([recipe.title] + recipe.ingredients + recipe.instructions).map { $0.lowercased() }
                read += 1
                continue
            }
            guard let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty else { break }
            buffer += chunk
        }
        return lines
    }
}
