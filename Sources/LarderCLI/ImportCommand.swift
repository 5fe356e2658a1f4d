import Foundation
import LarderArguments
import LarderClient
import LarderRESP
import LarderTraining

/// `larder import`: bulk-loads recipes into a running server with
/// `VADD key RECIPE <json> <id>`, pipelined over several connections.
///
/// Elements already present are skipped (checked with `VISMEMBER`), so an
/// interrupted import resumes where it stopped when run again.
enum ImportCommand: Subcommand {
    static let name = "import"
    static let summary = "Load recipes from JSON Lines or Recipe1M files into a server."

    static func makeSpec() -> CommandSpec {
        var spec = CommandSpec(name: name, summary: summary, positionalName: "FILE...")
        ConnectionOptions.declare(in: &spec)
        spec.option("key", metavar: "KEY", help: "Vector set to add the recipes to.", default: "recipes")
        spec.option("format", metavar: "FORMAT",
                    help: "Input format: jsonl (one recipe per line), recipe1m (layer1.json), or auto (Recipe1M when the file starts with '[', else JSON Lines).",
                    default: "auto")
        spec.option("layer2", metavar: "FILE", help: "Recipe1M layer2.json, to attach photo ids to layer1 recipes.")
        spec.option("image-key", metavar: "KEY",
                    help: "Also add each recipe's photo (the 'image' field) to this set with VADD ... IMAGE, for search by recipe.")
        spec.option("batch", metavar: "N", help: "Commands per pipelined batch.", default: "32")
        spec.option("connections", metavar: "N",
                    help: "Parallel connections to the server; each has one recipe in the encoder at a time, "
                        + "so more connections give the encoder larger batches.", default: "16")
        return spec
    }

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try makeSpec().parse(arguments)
        let connection = try ConnectionOptions(parsed)
        let key = parsed.string("key")!
        let batchSize = try parsed.integer("batch", in: 1...10_000)!
        let connections = try parsed.integer("connections", in: 1...64)!
        let format = try parsed.choice("format", from: ["auto", "jsonl", "recipe1m"])!
        guard !parsed.positionals.isEmpty else {
            throw ImportError.noFiles
        }

        var records: [ImportRecord] = []
        var rejected: [(source: String, reason: String)] = []
        for path in parsed.positionals {
            let url = URL(fileURLWithPath: path)
            let isRecipe1M = try format == "recipe1m" || (format == "auto" && ImportRecord.startsWithJSONArray(url))
            if isRecipe1M {
                let layer2 = parsed.string("layer2").map { URL(fileURLWithPath: $0) }
                records += try ImportRecord.readRecipe1M(layer1: url, layer2: layer2)
            } else {
                let result = try ImportRecord.readJSONLines(url)
                records += result.records
                rejected += result.rejected
            }
        }
        Console.err("larder import: \(records.count) recipes read from \(parsed.positionals.count) file(s)"
                    + (rejected.isEmpty ? "" : ", \(rejected.count) invalid"))

        // Fail fast, before any progress output, when the server is not there.
        _ = try connection.connect()
        let importer = Importer(connection: connection, key: key, imageKey: parsed.string("image-key"),
                                batchSize: batchSize, connections: connections)
        let outcome = try importer.run(records)
        rejected += outcome.rejected

        let photos = parsed.string("image-key") == nil ? "" : ", photos added \(outcome.photosAdded)"
        Console.err("larder import: added \(outcome.added), already present \(outcome.skipped)\(photos), "
                    + "rejected \(rejected.count) in \(String(format: "%.1f", outcome.seconds)) s")
        rejected.sort { ImportRecord.isBefore($0.source, $1.source) }
        for item in rejected.prefix(20) {
            Console.err("  rejected \(item.source): \(item.reason)")
        }
        if rejected.count > 20 {
            Console.err("  ... and \(rejected.count - 20) more")
        }
        return rejected.isEmpty ? 0 : 1
    }
}

// MARK: - Records

/// One recipe to import: its element id, the JSON sent as the RECIPE input,
/// and an optional photo path.
struct ImportRecord: Sendable {
    let id: String
    let title: String
    let json: String
    let imagePath: String?
    /// File and line (or index) for error messages.
    let source: String

    /// Returns whether the file's first non-blank character is `[`, as in Recipe1M's
    /// `layer1.json` (one JSON array), rather than `{` as in JSON Lines.
    static func startsWithJSONArray(_ url: URL) throws -> Bool {
        try checkReadableFile(url)
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw ImportError.unreadable(path: url.path, reason: "permission denied")
        }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 4096)) ?? Data()
        return head.first(where: { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }) == UInt8(ascii: "[")
    }

    /// Throws a clear error for a missing path or a directory.
    static func checkReadableFile(_ url: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw ImportError.unreadable(path: url.path, reason: "no such file")
        }
        if isDirectory.boolValue {
            throw ImportError.unreadable(path: url.path, reason: "it is a directory; give the recipe files inside it")
        }
    }

    /// Returns the file as one compact line when it is a single JSON object
    /// spread over several lines. Only a file whose first non-blank line is
    /// not valid JSON is parsed whole, so JSON Lines files are read once.
    private static func singleObject(_ text: String, lines: [Substring]) -> String? {
        guard let first = lines.first(where: { !$0.allSatisfy(\.isWhitespace) }),
              (try? JSONSerialization.jsonObject(with: Data(first.utf8))) == nil,
              let whole = try? JSONSerialization.jsonObject(with: Data(text.utf8)), whole is [String: Any],
              let compact = try? JSONSerialization.data(withJSONObject: whole, options: [.withoutEscapingSlashes])
        else { return nil }
        return String(decoding: compact, as: UTF8.self)
    }

    /// Reads one recipe per line; invalid lines are returned as rejected with
    /// the reason. A file that is one JSON object, even over several lines,
    /// is read as one recipe.
    static func readJSONLines(_ url: URL) throws -> (records: [ImportRecord], rejected: [(source: String, reason: String)]) {
        try checkReadableFile(url)
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw ImportError.unreadable(path: url.path, reason: "not readable as UTF-8 text")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if let compact = singleObject(text, lines: lines) {
            lines = [Substring(compact)]
        }
        let folder = url.deletingLastPathComponent()
        var records: [ImportRecord] = []
        var rejected: [(source: String, reason: String)] = []
        var lineNumber = 0
        for line in lines {
            lineNumber += 1
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            let source = "\(url.lastPathComponent):\(lineNumber)"
            let parsed: Any
            do {
                parsed = try JSONSerialization.jsonObject(with: Data(trimmed.utf8))
            } catch {
                rejected.append((source, "invalid JSON (\(trimmed.prefix(40))...); each line must be one JSON object"))
                continue
            }
            guard let object = parsed as? [String: Any] else {
                rejected.append((source, "not a JSON object"))
                continue
            }
            guard let title = object["title"] as? String else {
                rejected.append((source, "missing string field 'title'"))
                continue
            }
            let id = (object["id"] as? String) ?? slug(title) + "-\(lineNumber)"
            let image = (object["image"] as? String).map { path -> String in
                path.hasPrefix("/") ? path : folder.appendingPathComponent(path).path
            }
            records.append(ImportRecord(id: id, title: title, json: String(trimmed), imagePath: image,
                                        source: source))
        }
        return (records, rejected)
    }

    /// Reads every partition of a Recipe1M `layer1.json`, with photo ids from `layer2.json` when given.
    static func readRecipe1M(layer1: URL, layer2: URL?) throws -> [ImportRecord] {
        var records: [ImportRecord] = []
        for partition in ["train", "val", "test"] {
            let recipes = try DataReader.recipe1M(layer1: layer1, layer2: layer2, partition: partition)
            for (index, recipe) in recipes.enumerated() {
                let object: [String: Any] = ["id": recipe.id, "title": recipe.title,
                                             "ingredients": recipe.ingredients, "instructions": recipe.instructions]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
                records.append(ImportRecord(id: recipe.id, title: recipe.title, json: String(decoding: data, as: UTF8.self),
                                            imagePath: nil, source: "\(layer1.lastPathComponent)[\(partition) \(index)]"))
            }
        }
        return records
    }

    /// Orders sources such as `file.jsonl:12` by file name, then line number.
    static func isBefore(_ left: String, _ right: String) -> Bool {
        func key(_ source: String) -> (String, Int) {
            let parts = source.split(separator: ":", maxSplits: 1)
            let line = parts.count == 2 ? Int(parts[1].prefix { $0.isNumber }) ?? 0 : 0
            return (String(parts[0]), line)
        }
        let (leftFile, leftLine) = key(left)
        let (rightFile, rightLine) = key(right)
        return leftFile == rightFile ? (leftLine, left) < (rightLine, right) : leftFile < rightFile
    }

    /// A lowercase, dash-separated form of `text` for ids made from titles.
    static func slug(_ text: String) -> String {
        let words = text.lowercased().split { !$0.isLetter && !$0.isNumber }
        return words.isEmpty ? "recipe" : words.joined(separator: "-")
    }
}

/// An input file that could not be imported at all.
enum ImportError: Error, CustomStringConvertible {
    /// A recipe file that cannot be opened or read.
    case unreadable(path: String, reason: String)
    /// No recipe file on the command line.
    case noFiles
    /// The server rejected every recipe of the first batch for one reason,
    /// so the rest would fail too (no password, no model, wrong key type).
    case firstBatchRejected(count: Int, reason: String)

    var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "cannot read '\(path)': \(reason)"
        case .noFiles:
            return "no recipe file given; usage: larder import [options] FILE..."
        case .firstBatchRejected(let count, let reason):
            return "the server rejected all \(count) recipes of the first batch with: \(reason); "
                + "stopped without sending the rest. Fix that and run the import again"
        }
    }
}
