import Foundation
import LarderModels
import LarderTensor
import LarderText
import XCTest

/// Compares the Swift recipe encoder with PyTorch outputs written by
/// tools/make_recipe_fixtures.py for the same seeded weights.
final class RecipeEncoderParityTests: XCTestCase {
    struct Cases: Decodable {
        var recipes: [TokenizedRecipe]
        var output: [[Float]]
        var components: [String: [[Float]]]
    }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    private func loadFixtures() throws -> (LarderModel, Cases) {
        let model = try LarderModel(contentsOf: Self.fixtures.appendingPathComponent("recipe-encoder.safetensors"))
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent("recipe-encoder-cases.json"))
        return (model, try JSONDecoder().decode(Cases.self, from: data))
    }

    func testBatchMatchesPyTorch() throws {
        let (model, cases) = try loadFixtures()
        let output = try model.recipeEncoder.encode(cases.recipes)
        XCTAssertEqual(output.shape, [cases.recipes.count, 12])
        for (index, expected) in cases.output.enumerated() {
            assertRelativeError(row(output, index), expected, "recipe \(index)")
        }
    }

    func testSingleRecipesMatchPyTorch() throws {
        let (model, cases) = try loadFixtures()
        for (index, recipe) in cases.recipes.enumerated() {
            let output = try model.recipeEncoder.encode([recipe])
            assertRelativeError(output.scalars, cases.output[index], "recipe \(index) alone")
        }
    }

    func testComponentVectorsMatchPyTorch() throws {
        let (model, cases) = try loadFixtures()
        let vectors = try model.recipeEncoder.componentVectors(cases.recipes)
        for component in RecipeComponent.allCases {
            let expected = try XCTUnwrap(cases.components[component.rawValue])
            for (index, values) in expected.enumerated() where values.contains(where: { $0 != 0 }) {
                assertRelativeError(row(vectors[component]!, index), values, "\(component) of recipe \(index)")
            }
        }
    }

    func testEmptyListsGiveZeroComponents() throws {
        let (model, cases) = try loadFixtures()
        let vectors = try model.recipeEncoder.componentVectors(cases.recipes)
        // Recipe 2 has no ingredients, recipe 3 no instructions, recipe 4 neither.
        XCTAssertTrue(row(vectors[.ingredients]!, 2).allSatisfy { $0 == 0 })
        XCTAssertTrue(row(vectors[.instructions]!, 3).allSatisfy { $0 == 0 })
        XCTAssertTrue(row(vectors[.ingredients]!, 4).allSatisfy { $0 == 0 })
        XCTAssertTrue(row(vectors[.instructions]!, 4).allSatisfy { $0 == 0 })
        XCTAssertFalse(row(vectors[.title]!, 4).allSatisfy { $0 == 0 })
        XCTAssertTrue(cases.components["ingredients"]![2].allSatisfy { $0 == 0 })
    }

    func testOutOfRangeTokenIsRejected() throws {
        let (model, _) = try loadFixtures()
        let recipe = TokenizedRecipe(title: [1, 99, 2], ingredients: [], instructions: [])
        XCTAssertThrowsError(try model.recipeEncoder.encode([recipe])) { error in
            XCTAssertEqual(error as? RecipeEncoderError,
                           .tokenOutOfRange(recipe: 0, component: .title, id: 99, vocabularySize: 40))
        }
        let long = TokenizedRecipe(title: [1, 2], ingredients: Array(repeating: [1, 2], count: 51), instructions: [])
        XCTAssertThrowsError(try model.recipeEncoder.encode([long])) { error in
            XCTAssertEqual(error as? RecipeEncoderError,
                           .sequenceTooLong(recipe: 0, component: .ingredients, length: 51, maximum: 50))
        }
    }

    func testEmptyBatch() throws {
        let (model, _) = try loadFixtures()
        XCTAssertEqual(try model.recipeEncoder.encode([]).shape, [0, 12])
    }

    // MARK: - Helpers

    private func row(_ tensor: Tensor, _ index: Int) -> [Float] {
        let width = tensor.shape[1]
        return Array(tensor.scalars[(index * width)..<((index + 1) * width)])
    }

    /// Asserts ‖actual − expected‖ ≤ 1e-4 · ‖expected‖.
    private func assertRelativeError(_ actual: [Float], _ expected: [Float], _ message: String,
                                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.count, expected.count, message, file: file, line: line)
        let difference = zip(actual, expected).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
        let norm = expected.map { $0 * $0 }.reduce(0, +).squareRoot()
        XCTAssertLessThanOrEqual(difference, 1e-4 * norm, "\(message): got \(actual), expected \(expected)",
                                 file: file, line: line)
    }
}
