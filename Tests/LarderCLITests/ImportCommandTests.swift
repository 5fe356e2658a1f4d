import Foundation
import LarderTestSupport
import XCTest

/// `larder import` stops early with one clear message when every recipe would fail.
final class ImportCommandTests: XCTestCase {
    /// Writes the first `count` demo recipes to the file `name` inside `directory`.
    private func writeRecipes(_ count: Int, named name: String, in directory: TemporaryDirectory) throws -> URL {
        let demo = SharedData.packageRoot.appendingPathComponent("demo/recipes.jsonl")
        let lines = try String(contentsOf: demo, encoding: .utf8).split(separator: "\n").prefix(count)
        let file = directory.url.appendingPathComponent(name)
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    func testMissingPasswordStopsAtOnce() throws {
        let directory = try TemporaryDirectory()
        let file = try writeRecipes(5, named: "mine.jsonl", in: directory)
        let server = try LarderServerProcess(arguments: ["--in-memory", "--no-model", "--requirepass", "s3cret"])
        let result = try LarderExecutable.run(["import", "--port", String(server.port), "--key", "k", file.path])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.errors.contains("requires a password; pass --password SECRET"), result.errors)
        XCTAssertEqual(server.stop(), 0)
    }

    func testNoModelStopsAfterFirstBatch() throws {
        let directory = try TemporaryDirectory()
        let file = try writeRecipes(40, named: "mine.jsonl", in: directory)
        let server = try LarderServerProcess(arguments: ["--in-memory", "--no-model"])
        let result = try LarderExecutable.run(["import", "--port", String(server.port), "--key", "k", "--batch", "8",
                                               file.path])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.errors.contains("rejected all 8 recipes of the first batch"), result.errors)
        XCTAssertTrue(result.errors.contains("needs an encoder model"), result.errors)
        XCTAssertFalse(result.errors.contains("added"), result.errors)
        XCTAssertEqual(server.stop(), 0)
    }

    func testFormatFollowsFileContent() throws {
        let model = SharedData.packageRoot.appendingPathComponent("models/larder-default.safetensors")
        guard FileManager.default.fileExists(atPath: model.path) else { throw XCTSkip("no bundled model at \(model.path)") }
        let directory = try TemporaryDirectory()
        // JSON Lines in a file named .json: the content, not the name, decides the format.
        let lines = try writeRecipes(3, named: "mine.json", in: directory)
        let server = try LarderServerProcess(arguments: ["--in-memory", "--model", model.path])
        let first = try LarderExecutable.run(["import", "--port", String(server.port), "--key", "k", lines.path])
        XCTAssertEqual(first.status, 0, first.errors)
        XCTAssertTrue(first.errors.contains("added 3,"), first.errors)

        // One recipe object spread over several lines counts as one recipe.
        let pretty = SharedData.packageRoot.appendingPathComponent("demo/query-recipe.json")
        let second = try LarderExecutable.run(["import", "--port", String(server.port), "--key", "k", pretty.path])
        XCTAssertEqual(second.status, 0, second.errors)
        XCTAssertTrue(second.errors.contains("added 1,"), second.errors)
        XCTAssertEqual(server.stop(), 0)
    }
}
