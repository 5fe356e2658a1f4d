import Foundation
import LarderModels
import LarderTensor
import LarderTestSupport
import LarderText
import LarderWeights
import XCTest

final class LarderModelFileTests: XCTestCase {
    private let fixture = RecipeEncoderParityTests.fixtures.appendingPathComponent("recipe-encoder.safetensors")
    private let recipe = RecipeText(title: "W1 w2", ingredients: ["w3 w4 w5", "w6"], instructions: ["w7 w8, w9."])

    func testFloat32RoundTripIsExact() throws {
        let model = try LarderModel(contentsOf: fixture)
        let directory = try TemporaryDirectory()
        let url = directory.url.appendingPathComponent("copy.safetensors")
        try model.write(to: url)
        let copy = try LarderModel(contentsOf: url)
        XCTAssertEqual(copy.configuration, model.configuration)
        XCTAssertEqual(copy.vocabulary, model.vocabulary)
        XCTAssertEqual(try copy.encode([recipe]), try model.encode([recipe]))
    }

    func testFloat16FileIsCloseAndHalfSize() throws {
        let model = try LarderModel(contentsOf: fixture)
        let directory = try TemporaryDirectory()
        let full = directory.url.appendingPathComponent("full.safetensors")
        let half = directory.url.appendingPathComponent("half.safetensors")
        try model.write(to: full)
        try model.write(to: half, as: .float16)
        let fullSize = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: full.path)[.size] as? Int)
        let halfSize = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: half.path)[.size] as? Int)
        XCTAssertLessThan(halfSize, fullSize * 6 / 10)
        let expected = try model.encode([recipe]).scalars
        let actual = try LarderModel(contentsOf: half).encode([recipe]).scalars
        for (a, e) in zip(actual, expected) { XCTAssertEqual(a, e, accuracy: 5e-3) }
    }

    func testTokenizerUsesStoredVocabulary() throws {
        let model = try LarderModel(contentsOf: fixture)
        let tokens = model.tokenizer.tokenize(recipe)
        // Vocabulary: <pad> <start> <end> w0 … w35 <unk>, so wN has id N + 3; unknown "," and "." map to 39.
        XCTAssertEqual(tokens.title, [1, 4, 5, 2])
        XCTAssertEqual(tokens.ingredients, [[1, 6, 7, 8, 2], [1, 9, 2]])
        XCTAssertEqual(tokens.instructions, [[1, 10, 11, 39, 12, 39, 2]])
    }

    func testMismatchedTensorsAreAllNamed() throws {
        var file = try SafeTensors(contentsOf: fixture)
        file.tensors["merger_recipe.bias"] = nil
        file.tensors["text_encoder.tfs.title.tf.layers.1.linear1.weight"] = Tensor(shape: [5, 16])
        file.tensors["extra.weight"] = Tensor(shape: [2])
        XCTAssertThrowsError(try LarderModel(file: file)) { error in
            guard case .parameters(let problems)? = error as? ModelLoadError else {
                return XCTFail("unexpected error \(error)")
            }
            XCTAssertEqual(problems.count, 3)
            XCTAssertTrue(problems.contains(.missing(name: "merger_recipe.bias", expected: [12])))
            XCTAssertTrue(problems.contains(.shapeMismatch(name: "text_encoder.tfs.title.tf.layers.1.linear1.weight",
                                                           expected: [24, 16], actual: [5, 16])))
            XCTAssertTrue(problems.contains(.unexpected(name: "extra.weight", actual: [2])))
            XCTAssertTrue(String(describing: error).contains("has shape [5, 16], expected [24, 16]"))
        }
    }

    func testMissingMetadataAndBadConfiguration() throws {
        var file = try SafeTensors(contentsOf: fixture)
        let configuration = file.metadata[LarderModel.configurationKey]!
        file.metadata[LarderModel.configurationKey] = nil
        XCTAssertThrowsError(try LarderModel(file: file)) { error in
            XCTAssertEqual(error as? ModelLoadError, .missingMetadata(key: "larder.config"))
        }
        file.metadata[LarderModel.configurationKey] = configuration.replacingOccurrences(of: "\"headCount\": 2", with: "\"headCount\": 3")
        XCTAssertThrowsError(try LarderModel(file: file)) { error in
            XCTAssertEqual(error as? ModelLoadError,
                           .invalidConfiguration(reason: "hiddenSize 16 must be divisible by headCount 3"))
        }
        file.metadata[LarderModel.configurationKey] = configuration
        file.metadata[LarderModel.vocabularyKey] = "<pad>\n<start>\n<end>\n<unk>\n"
        XCTAssertThrowsError(try LarderModel(file: file)) { error in
            XCTAssertEqual(error as? ModelLoadError,
                           .invalidConfiguration(reason: "the vocabulary has 4 tokens but vocabularySize is 40"))
        }
    }

    func testMissingFileIsNamed() {
        XCTAssertThrowsError(try LarderModel(contentsOf: URL(fileURLWithPath: "/nonexistent/model.safetensors"))) { error in
            XCTAssertEqual(error as? ModelLoadError, .fileNotFound(path: "/nonexistent/model.safetensors"))
        }
    }

    func testFileThatIsNotAModelIsNamed() throws {
        let directory = try TemporaryDirectory()
        let photo = directory.url.appendingPathComponent("dinner.jpg")
        try Data("not a safetensors file at all".utf8).write(to: photo)
        XCTAssertThrowsError(try LarderModel(contentsOf: photo)) { error in
            guard case .invalidFile(let path, _)? = error as? ModelLoadError else {
                return XCTFail("expected invalidFile, got \(error)")
            }
            XCTAssertEqual(path, photo.path)
            XCTAssertTrue("\(error)".contains("--model"), "\(error)")
        }
    }

    func testParameterShapesMatchFixture() throws {
        let file = try SafeTensors(contentsOf: fixture)
        let model = try LarderModel(file: file)
        let shapes = RecipeEncoder.parameterShapes(model.configuration.recipe)
        XCTAssertEqual(shapes, file.tensors.mapValues(\.shape))
    }
}
