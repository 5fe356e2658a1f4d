import Foundation
import LarderClient
import LarderRESP
import LarderTestSupport
import LarderTraining
import XCTest

/// The main job through the public interface: `larder serve` with a model,
/// `larder import` of real recipes, search by photo and by recipe over RESP,
/// and the same ranks as `larder eval` computes for that model and pairs.
final class EndToEndTests: XCTestCase {
    /// Pairs used: enough for a meaningful ranking, few enough to encode in a couple of minutes.
    private static let pairCount = 120

    private func modelURL() throws -> URL {
        let path = ProcessInfo.processInfo.environment["LARDER_TEST_MODEL"]
            ?? SharedData.packageRoot.appendingPathComponent("models/larder-default.safetensors").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw XCTSkip("no model at \(path); set LARDER_TEST_MODEL to a Larder model file with an image encoder")
        }
        return URL(fileURLWithPath: path)
    }

    /// Writes the first `pairCount` pairs with absolute photo paths, and returns them as ImportRecords' ids and photos.
    private func writePairs(from data: URL, to file: URL) throws -> [(id: String, photo: URL)] {
        let lines = try String(contentsOf: data.appendingPathComponent("pairs.jsonl"), encoding: .utf8)
            .split(separator: "\n").prefix(Self.pairCount)
        var output = ""
        var pairs: [(String, URL)] = []
        for line in lines {
            var object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let photo = data.appendingPathComponent(try XCTUnwrap(object["image"] as? String))
            object["image"] = photo.path
            pairs.append((try XCTUnwrap(object["id"] as? String), photo))
            output += String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self) + "\n"
        }
        try output.write(to: file, atomically: true, encoding: .utf8)
        return pairs
    }

    /// Rank of `expected` in a `VSIM ... COUNT n` reply: 1 for the first element.
    private func rank(of expected: String, in reply: RESPValue, file: StaticString = #filePath, line: UInt = #line) -> Int {
        guard case .array(let items) = reply else {
            XCTFail("VSIM reply is not an array: \(reply)", file: file, line: line)
            return Int.max
        }
        let ids = items.compactMap(\.string)
        return (ids.firstIndex(of: expected) ?? ids.count) + 1
    }

    func testSearchByPhotoMatchesEval() throws {
        let data = try SharedData.require()
        let model = try modelURL()
        let work = try TemporaryDirectory()
        let pairsFile = work.url.appendingPathComponent("pairs.jsonl")
        let pairs = try writePairs(from: data, to: pairsFile)

        let server = try LarderServerProcess(arguments: ["--dir", work.url.appendingPathComponent("db").path,
                                                        "--model", model.path])
        let imported = try LarderExecutable.run(["import", "--port", String(server.port), "--key", "recipes",
                                                 "--image-key", "photos", pairsFile.path])
        XCTAssertEqual(imported.status, 0, imported.errors)
        XCTAssertTrue(imported.errors.contains("added \(pairs.count)"), imported.errors)

        let client = try RESPConnection(host: "127.0.0.1", port: server.port)
        XCTAssertEqual(try client.command(["VCARD", "recipes"]), .integer(Int64(pairs.count)))
        XCTAssertEqual(try client.command(["VCARD", "photos"]), .integer(Int64(pairs.count)))
        // Each photo carries its recipe's id and title, so a photo search can show them.
        let photoAttributes = try client.command(["VGETATTR", "photos", pairs[0].id]).string ?? ""
        XCTAssertTrue(photoAttributes.contains("\"recipe\":\"\(pairs[0].id)\""), photoAttributes)
        XCTAssertTrue(photoAttributes.contains("\"title\":"), photoAttributes)

        // Photo to recipe, and recipe to photo, each with an exact scan (TRUTH) over all elements.
        let recipeLines = try String(contentsOf: pairsFile, encoding: .utf8).split(separator: "\n")
        var imageToRecipe: [Int] = []
        var recipeToImage: [Int] = []
        for (index, pair) in pairs.enumerated() {
            let photo = [UInt8](try Data(contentsOf: pair.photo))
            let byPhoto = try client.command(bytes: [Array("VSIM".utf8), Array("recipes".utf8), Array("IMAGE".utf8), photo,
                                                     Array("COUNT".utf8), Array(String(pairs.count).utf8), Array("TRUTH".utf8)])
            imageToRecipe.append(rank(of: pair.id, in: byPhoto))
            let byRecipe = try client.command(bytes: [Array("VSIM".utf8), Array("photos".utf8), Array("RECIPE".utf8),
                                                      Array(recipeLines[index].utf8), Array("COUNT".utf8),
                                                      Array(String(pairs.count).utf8), Array("TRUTH".utf8)])
            recipeToImage.append(rank(of: pair.id, in: byRecipe))
        }
        let info = try XCTUnwrap(try client.command(["INFO", "encoder"]).string)
        XCTAssertTrue(info.contains("model_path:\(model.path)"), info)
        XCTAssertTrue(info.contains("encoded_requests:\(2 * pairs.count + 2 * pairs.count)"), info)
        XCTAssertFalse(info.contains("encode_usec:0\r"), info)
        XCTAssertEqual(server.stop(), 0, server.output)

        let evaluated = try LarderExecutable.run(["eval", "--model", model.path, "--pairs", pairsFile.path,
                                                  "--feature-cache", work.url.appendingPathComponent("features").path,
                                                  "--ranking-sizes", String(pairs.count), "--subsets", "1", "--json"])
        XCTAssertEqual(evaluated.status, 0, evaluated.errors)
        let reports = try JSONDecoder().decode([RetrievalReport].self, from: Data(evaluated.output.utf8))
        let report = try XCTUnwrap(reports.first)
        XCTAssertEqual(report.rankingSize, pairs.count)

        let served = (RetrievalMetrics(ranks: imageToRecipe), RetrievalMetrics(ranks: recipeToImage))
        for (name, fromServer, fromEval) in [("image to recipe", served.0, report.imageToRecipe),
                                             ("recipe to image", served.1, report.recipeToImage)] {
            XCTAssertEqual(fromServer.medianRank, fromEval.medianRank, accuracy: 0.5, name)
            XCTAssertEqual(fromServer.recallAt1, fromEval.recallAt1, accuracy: 0.01, name)
            XCTAssertEqual(fromServer.recallAt5, fromEval.recallAt5, accuracy: 0.01, name)
            XCTAssertEqual(fromServer.recallAt10, fromEval.recallAt10, accuracy: 0.01, name)
        }
    }
}
