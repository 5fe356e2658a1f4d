import Foundation
import LarderModels
import LarderTensor
import LarderTestSupport
import LarderText
import XCTest
@testable import LarderWorker

final class EncoderWorkerTests: XCTestCase {
    /// A small recipe model with seeded random weights.
    static func makeModel(seed: UInt64 = 7) throws -> LarderModel {
        let vocabulary = try Vocabulary(tokens: ["<pad>", "<start>", "<end>", "<unk>", "salt", "flour", "eggs",
                                                 "mix", "bake", "the", "pancakes", ",", "."])
        let configuration = RecipeEncoderConfiguration(vocabularySize: vocabulary.count, hiddenSize: 16,
                                                       headCount: 2, layerCount: 1, feedForwardSize: 32,
                                                       outputSize: 8)
        var generator = SeededGenerator(seed: seed)
        var tensors: [String: Tensor] = [:]
        for (name, shape) in RecipeEncoder.parameterShapes(configuration) {
            let count = shape.reduce(1, *)
            tensors[name] = Tensor(shape: shape, scalars: (0..<count).map { _ in Float.random(in: -0.3...0.3, using: &generator) })
        }
        var parameters = ParameterSet(tensors)
        let encoder = RecipeEncoder(configuration: configuration, parameters: &parameters)
        try parameters.finish()
        return LarderModel(configuration: ModelConfiguration(recipe: configuration), vocabulary: vocabulary,
                           recipeEncoder: encoder)
    }

    private let recipes: [String] = [
        #"{"title": "Pancakes", "ingredients": ["flour", "eggs", "salt"], "instructions": ["Mix the flour.", "Bake."]}"#,
        #"{"title": "Salt bread", "ingredients": ["flour", "salt"], "instructions": ["Bake the bread."]}"#,
        #"{"title": "Eggs", "ingredients": ["eggs"], "instructions": ["Mix, bake."]}"#,
    ]

    func testBatchedVectorsMatchOneAtATime() throws {
        let model = try Self.makeModel()
        let single = EncoderWorker(model: model, batching: BatcherConfiguration(maxBatchSize: 1, maxWait: 0))
        let expected = try recipes.map { try single.encodeRecipe(json: Array($0.utf8)).vector }
        single.shutdown()

        let batched = EncoderWorker(model: model, batching: BatcherConfiguration(maxBatchSize: 16, maxWait: 0.02))
        let lock = NSLock()
        nonisolated(unsafe) var results: [Int: [Float]] = [:]
        let inputs = recipes
        let group = DispatchGroup()
        for client in 0..<24 {
            group.enter()
            Thread.detachNewThread {
                let index = client % 3
                let vector = try? batched.encodeRecipe(json: Array(inputs[index].utf8)).vector
                lock.lock()
                results[client] = vector
                lock.unlock()
                group.leave()
            }
        }
        group.wait()
        XCTAssertGreaterThan(batched.recipeStatistics.largestBatch, 1, "concurrent requests were never batched")
        for client in 0..<24 {
            let vector = try XCTUnwrap(results[client], "client \(client) got no vector")
            XCTAssertEqual(vector.count, 8)
            for (got, want) in zip(vector, expected[client % 3]) {
                XCTAssertEqual(got, want, accuracy: 1e-5, "client \(client)")
            }
        }
        batched.shutdown()
    }

    func testInvalidRecipesNameTheProblem() throws {
        let worker = EncoderWorker(model: try Self.makeModel())
        defer { worker.shutdown() }
        let malformed: [(String, RecipeTextError)] = [
            ("[1, 2]", .notAnObject),
            (#"{"ingredients": ["a"], "instructions": ["b"]}"#, .missingField("title")),
            (#"{"title": "x", "ingredients": "flour", "instructions": ["b"]}"#,
             .wrongType(field: "ingredients", expected: "an array of strings")),
        ]
        for (input, expected) in malformed {
            XCTAssertThrowsError(try worker.encodeRecipe(json: Array(input.utf8)), input) { error in
                XCTAssertEqual(error as? RecipeTextError, expected, input)
            }
        }
        XCTAssertThrowsError(try worker.encodeRecipe(json: Array("not json".utf8))) { error in
            guard case .invalidJSON = error as? RecipeTextError else { return XCTFail("\(error)") }
        }
        let empty: [(String, EncoderInputError)] = [
            (#"{"title": "x", "ingredients": ["a"], "instructions": []}"#, .emptyField("instructions")),
            (#"{"title": "x", "ingredients": [" "], "instructions": ["b"]}"#, .emptyField("ingredients")),
        ]
        for (input, expected) in empty {
            XCTAssertThrowsError(try worker.encodeRecipe(json: Array(input.utf8)), input) { error in
                XCTAssertEqual(error as? EncoderInputError, expected, input)
            }
        }
    }
}
