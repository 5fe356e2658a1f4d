import Foundation
import LarderTestSupport
import LarderText
import XCTest

final class RecipeTokenizerTests: XCTestCase {
    private let vocabulary = try! Vocabulary(tokens: ["<pad>", "<start>", "<end>", "add", "salt", ".", "<unk>"])

    func testSentenceIdsWithMarkersAndUnknowns() {
        let tokenizer = RecipeTokenizer(vocabulary: vocabulary)
        // "Add SALT, then." -> add salt , then .
        XCTAssertEqual(tokenizer.ids(for: "Add SALT, then."), [1, 3, 4, 6, 6, 5, 2])
        XCTAssertEqual(tokenizer.ids(for: ""), [1, 2])
    }

    func testLongSentenceIsCutAfterEndMarker() {
        let tokenizer = RecipeTokenizer(vocabulary: vocabulary)
        let ids = tokenizer.ids(for: Array(repeating: "salt", count: 20).joined(separator: " "))
        // 15 ids: <start> and 14 words; the cut drops <end>, as the paper's loader does.
        XCTAssertEqual(ids, [1] + Array(repeating: 4, count: 14))
        let exact = tokenizer.ids(for: Array(repeating: "salt", count: 13).joined(separator: " "))
        XCTAssertEqual(exact, [1] + Array(repeating: 4, count: 13) + [2])
    }

    func testRecipeLimits() {
        let tokenizer = RecipeTokenizer(vocabulary: vocabulary)
        let recipe = RecipeText(title: "Salt", ingredients: Array(repeating: "salt", count: 25),
                                instructions: Array(repeating: "add salt.", count: 21))
        let tokens = tokenizer.tokenize(recipe)
        XCTAssertEqual(tokens.title, [1, 4, 2])
        XCTAssertEqual(tokens.ingredients.count, 20)
        XCTAssertEqual(tokens.instructions.count, 20)
        XCTAssertEqual(tokens.instructions[0], [1, 3, 4, 5, 2])
        let empty = tokenizer.tokenize(RecipeText(title: "", ingredients: [], instructions: []))
        XCTAssertEqual(empty, TokenizedRecipe(title: [1, 2], ingredients: [], instructions: []))
    }

    func testRealRecipeWithPaperVocabulary() throws {
        let data = try SharedData.require()
        let vocabulary = try Vocabulary(contentsOf: data.appendingPathComponent("paper-vocab.txt"))
        let line = try String(contentsOf: data.appendingPathComponent("pairs.jsonl"), encoding: .utf8)
            .split(separator: "\n").first!
        let recipe = try JSONDecoder().decode(RecipeText.self, from: Data(line.utf8))
        let tokens = RecipeTokenizer(vocabulary: vocabulary).tokenize(recipe)
        XCTAssertEqual(tokens.ingredients.count, min(recipe.ingredients.count, 20))
        for sequence in [tokens.title] + tokens.ingredients + tokens.instructions {
            XCTAssertEqual(sequence.first, vocabulary.startID)
            XCTAssertLessThanOrEqual(sequence.count, 15)
            XCTAssertTrue(sequence.allSatisfy { $0 > 0 && $0 < vocabulary.count })
        }
        // Common recipe words are in the paper's vocabulary, so most ids are known.
        let all = tokens.ingredients.flatMap { $0 }
        XCTAssertLessThan(all.filter { $0 == vocabulary.unknownID }.count * 5, all.count)
    }
}
