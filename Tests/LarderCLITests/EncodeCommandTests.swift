import Foundation
import LarderTestSupport
import XCTest

/// Runs the built `larder` executable, as a user would.
final class EncodeCommandTests: XCTestCase {
    private let model = SharedData.packageRoot
        .appendingPathComponent("Tests/LarderModelsTests/Fixtures/recipe-encoder.safetensors")

    private func larder(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        let binary = Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("larder")
        let candidates = [binary, URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("larder")]
        guard let executable = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw XCTSkip("larder executable not built next to the tests; run swift build --build-tests")
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outputData, as: UTF8.self),
                String(decoding: errorData, as: UTF8.self))
    }

    private func write(_ text: String, in directory: TemporaryDirectory) throws -> String {
        let url = directory.url.appendingPathComponent(UUID().uuidString + ".json")
        try Data(text.utf8).write(to: url)
        return url.path
    }

    func testPrintsVectorAsJSONArray() throws {
        let directory = try TemporaryDirectory()
        let recipe = try write(#"{"title": "W1 w2", "ingredients": ["w3 w4"], "instructions": ["w5. w6"], "tags": []}"#,
                               in: directory)
        let result = try larder(["encode", "--recipe", recipe, "--model", model.path])
        XCTAssertEqual(result.status, 0, result.error)
        let vector = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [Double])
        XCTAssertEqual(vector.count, 12)
        XCTAssertTrue(vector.allSatisfy { abs($0) < 1 })
        XCTAssertTrue(vector.contains { $0 != 0 })
    }

    func testRecipesFileGivesOneVectorPerLine() throws {
        let directory = try TemporaryDirectory()
        let single = #"{"title": "W1 w2", "ingredients": ["w3 w4"], "instructions": ["w5. w6"]}"#
        let file = try write(single + "\n" + #"{"title": "w7", "ingredients": [], "instructions": []}"# + "\n\n",
                             in: directory)
        let batched = try larder(["encode", "--recipes", file, "--batch-size", "2", "--timing", "--model", model.path])
        XCTAssertEqual(batched.status, 0, batched.error)
        let lines = batched.output.split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        XCTAssertTrue(batched.error.contains("2 recipes in 1 batches"), batched.error)
        // The first line equals the vector of the same recipe encoded alone.
        let alone = try larder(["encode", "--recipe", try write(single, in: directory), "--model", model.path])
        let first = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [Double])
        let expected = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(alone.output.utf8)) as? [Double])
        XCTAssertEqual(first.count, expected.count)
        for (a, e) in zip(first, expected) { XCTAssertEqual(a, e, accuracy: 1e-5) }

        let broken = try write(single + "\n" + #"{"title": 1}"#, in: directory)
        let failure = try larder(["encode", "--recipes", broken, "--model", model.path])
        XCTAssertNotEqual(failure.status, 0)
        XCTAssertTrue(failure.error.contains("line 2: invalid recipe JSON"), failure.error)
    }

    func testInvalidInputsExitNonZeroWithMessage() throws {
        let directory = try TemporaryDirectory()
        let cases: [(String, [String], String)] = [
            ("truncated JSON", ["--recipe", try write(#"{"title": "x""#, in: directory), "--model", model.path],
             "invalid recipe JSON"),
            ("missing field", ["--recipe", try write(#"{"title": "x", "ingredients": []}"#, in: directory),
                               "--model", model.path], "missing field 'instructions'"),
            ("wrong type", ["--recipe", try write(#"{"title": 3, "ingredients": [], "instructions": []}"#, in: directory),
                            "--model", model.path], "field 'title' must be a string"),
            ("missing recipe file", ["--recipe", "/nonexistent/recipe.json", "--model", model.path],
             "cannot read file /nonexistent/recipe.json"),
            ("missing model", ["--recipe", try write(#"{"title": "x", "ingredients": [], "instructions": []}"#, in: directory),
                               "--model", "/nonexistent/model.safetensors"], "model file not found"),
            ("no input option", ["--model", model.path], "missing input: give a recipe FILE, --recipes FILE or --image FILE (exactly one of them)"),
        ]
        for (name, arguments, message) in cases {
            let result = try larder(["encode"] + arguments)
            XCTAssertNotEqual(result.status, 0, name)
            XCTAssertTrue(result.error.contains(message), "\(name): \(result.error)")
            XCTAssertEqual(result.output, "", name)
        }
    }
}
