import Foundation
import LarderText
import XCTest

final class WordTokenizerTests: XCTestCase {
    struct Fixture: Decodable {
        struct Case: Decodable {
            var text: String
            var tokens: [String]
        }
        var nltk: String
        var cases: [Case]
    }

    /// Golden tokens from NLTK (tools/make_tokenizer_fixtures.py) for real recipe lines and hand-written cases.
    func testMatchesNLTKOnRecipeLines() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/nltk-tokens.json")
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        XCTAssertGreaterThan(fixture.cases.count, 300)
        var mismatches = 0
        for item in fixture.cases {
            let tokens = WordTokenizer.tokenize(item.text.lowercased())
            if tokens != item.tokens {
                mismatches += 1
                XCTFail("\(item.text.debugDescription): got \(tokens), NLTK \(fixture.nltk) gives \(item.tokens)")
            }
        }
        XCTAssertEqual(mismatches, 0)
    }

    func testSentenceFinalPeriodsOnly() {
        XCTAssertEqual(WordTokenizer.tokenize("stir well. add salt."), ["stir", "well", ".", "add", "salt", "."])
        // A number before a lowercase word does not end the sentence, and abbreviations keep their period.
        XCTAssertEqual(WordTokenizer.tokenize("bake at 350. remove dr. pan."),
                       ["bake", "at", "350.", "remove", "dr.", "pan", "."])
    }

    func testQuotesAndContractions() {
        XCTAssertEqual(WordTokenizer.tokenize(#""don't" stir, it's hot"#),
                       ["``", "do", "n't", "''", "stir", ",", "it", "'s", "hot"])
        XCTAssertEqual(WordTokenizer.tokenize("cannot"), ["can", "not"])
    }

    func testEmptyAndWhitespace() {
        XCTAssertEqual(WordTokenizer.tokenize(""), [])
        XCTAssertEqual(WordTokenizer.tokenize(" \n\t "), [])
    }

    func testSentenceSplitterRealignsClosingBrackets() {
        XCTAssertEqual(PunktSentenceSplitter.english.sentences(in: "cook 2 minutes.) drain it."),
                       ["cook 2 minutes.)", "drain it."])
    }
}
