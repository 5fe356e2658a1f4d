import Foundation
import LarderClient
import LarderRESP
import LarderTestSupport
import XCTest

/// Requests with RECIPE input run on the server's encoding pool, so many of
/// them are in flight at once and the encoder batches them even when the
/// index workers are few. A full backlog gets a BUSY reply instead of a longer queue.
final class EncodingConcurrencyTests: XCTestCase {
    private func bundledModel() throws -> URL {
        let url = SharedData.packageRoot.appendingPathComponent("models/larder-default.safetensors")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw XCTSkip("no bundled model at \(url.path); run the tests from a full clone of the repository")
        }
        return url
    }

    /// Returns the first `count` recipes of the demo sample, one JSON object per string.
    private func demoRecipes(_ count: Int) throws -> [String] {
        let file = SharedData.packageRoot.appendingPathComponent("demo/recipes.jsonl")
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertGreaterThanOrEqual(lines.count, count)
        return Array(lines.prefix(count))
    }

    /// Sends one command per recipe, each from its own connection and thread, all at once.
    private func sendConcurrently(port: Int, recipes: [String],
                                  command: @escaping @Sendable (Int, String) -> [[UInt8]]) -> [Result<RESPValue, Error>] {
        let results = ResultBox(count: recipes.count)
        let start = DispatchSemaphore(value: 0)
        let group = DispatchGroup()
        for (index, recipe) in recipes.enumerated() {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                do {
                    let client = try RESPConnection(host: "127.0.0.1", port: port)
                    start.wait()
                    results.set(index, .success(try client.command(bytes: command(index, recipe))))
                } catch {
                    start.wait()
                    results.set(index, .failure(error))
                }
            }
        }
        usleep(300_000)
        for _ in recipes { start.signal() }
        group.wait()
        return results.values
    }

    /// Returns the numbers of a VEMB reply.
    private func vector(_ reply: RESPValue) throws -> [Double] {
        guard case .array(let items) = reply else {
            XCTFail("VEMB reply is not an array: \(reply)")
            return []
        }
        return try items.map { item in
            if case .double(let value) = item { return value }
            return try XCTUnwrap(item.string.flatMap(Double.init), "VEMB component \(item)")
        }
    }

    private func infoField(_ name: String, port: Int) throws -> Double? {
        let client = try RESPConnection(host: "127.0.0.1", port: port)
        guard let text = try client.command(["INFO", "encoder"]).string else { return nil }
        for line in text.split(whereSeparator: \.isNewline) where line.hasPrefix(name + ":") {
            return Double(line.dropFirst(name.count + 1))
        }
        return nil
    }

    func testRecipesBatchAcrossConnections() throws {
        let model = try bundledModel()
        let recipes = try demoRecipes(12)
        // One index worker: before the encoding pool, at most one recipe was ever encoded at a time.
        let server = try LarderServerProcess(arguments: ["--in-memory", "--model", model.path, "--workers", "1",
                                                        "--encoder-batch", "16", "--encoder-wait-ms", "300"])
        let results = sendConcurrently(port: server.port, recipes: recipes) { index, recipe in
            [Array("VADD".utf8), Array("r".utf8), Array("RECIPE".utf8), Array(recipe.utf8), Array("recipe-\(index)".utf8),
             Array("NOQUANT".utf8)]
        }
        for (index, result) in results.enumerated() {
            XCTAssertEqual(try result.get(), .integer(1), "VADD of recipe \(index)")
        }
        let client = try RESPConnection(host: "127.0.0.1", port: server.port)
        XCTAssertEqual(try client.command(["VCARD", "r"]), .integer(Int64(recipes.count)))
        let meanBatch = try XCTUnwrap(try infoField("recipe_mean_batch", port: server.port))
        XCTAssertGreaterThan(meanBatch, 2, "12 concurrent recipes should share batches; INFO says \(meanBatch)")

        // The same recipes one at a time, each alone in its batch, give the same vectors.
        for (index, recipe) in recipes.enumerated() {
            XCTAssertEqual(try client.command(bytes: [Array("VADD".utf8), Array("serial".utf8), Array("RECIPE".utf8),
                                                      Array(recipe.utf8), Array("recipe-\(index)".utf8),
                                                      Array("NOQUANT".utf8)]), .integer(1))
            let batched = try vector(client.command(["VEMB", "r", "recipe-\(index)"]))
            let serial = try vector(client.command(["VEMB", "serial", "recipe-\(index)"]))
            XCTAssertEqual(batched.count, serial.count)
            for (component, (left, right)) in zip(batched, serial).enumerated() {
                XCTAssertEqual(left, right, accuracy: 1e-4, "recipe \(index), component \(component)")
            }
        }
        XCTAssertEqual(server.stop(), 0)
    }

    func testFullBacklogRepliesBusy() throws {
        let model = try bundledModel()
        let recipes = try demoRecipes(8)
        // One request in progress and one waiting at most; the long batch wait keeps the first one busy.
        let server = try LarderServerProcess(arguments: ["--in-memory", "--model", model.path, "--encoder-requests", "1",
                                                        "--encoder-queue", "1", "--encoder-batch", "16",
                                                        "--encoder-wait-ms", "1500"])
        let results = sendConcurrently(port: server.port, recipes: recipes) { index, recipe in
            [Array("VADD".utf8), Array("r".utf8), Array("RECIPE".utf8), Array(recipe.utf8), Array("recipe-\(index)".utf8)]
        }
        var added = 0
        var busy = 0
        for result in results {
            switch try result.get() {
            case .integer(1): added += 1
            case .error(let message) where message.hasPrefix("BUSY"):
                XCTAssertTrue(message.contains("--encoder-queue"), message)
                busy += 1
            case let other: XCTFail("unexpected reply \(other)")
            }
        }
        XCTAssertGreaterThanOrEqual(added, 1)
        XCTAssertGreaterThanOrEqual(busy, 1, "8 requests against room for 2 should meet BUSY")
        XCTAssertEqual(added + busy, recipes.count)

        // The server carries on: a later request is served, and VCARD counts exactly the accepted ones.
        let client = try RESPConnection(host: "127.0.0.1", port: server.port)
        XCTAssertEqual(try client.command(bytes: [Array("VADD".utf8), Array("r".utf8), Array("RECIPE".utf8),
                                                  Array(recipes[0].utf8), Array("late".utf8)]), .integer(1))
        XCTAssertEqual(try client.command(["VCARD", "r"]), .integer(Int64(added + 1)))
        XCTAssertEqual(server.stop(), 0)
    }
}

/// Results written by several threads, each to its own slot.
private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<RESPValue, Error>?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: Result<RESPValue, Error>) {
        lock.withLock { slots[index] = value }
    }

    var values: [Result<RESPValue, Error>] {
        lock.withLock { slots.map { $0 ?? .failure(CancellationError()) } }
    }
}
