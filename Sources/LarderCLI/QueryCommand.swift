import Foundation
import LarderArguments
import LarderClient
import LarderRESP

/// `larder query`: searches a vector set by photo or by recipe and prints the
/// best matches as a table (or JSON with `--json`).
enum QueryCommand: Subcommand {
    static let name = "query"
    static let summary = "Find the recipes closest to a photo or a recipe on a running server."

    static func makeSpec() -> CommandSpec {
        var spec = CommandSpec(name: name, summary: summary)
        ConnectionOptions.declare(in: &spec)
        spec.option("key", metavar: "KEY", help: "Vector set to search.", default: "recipes")
        spec.option("image", metavar: "FILE", help: "Photo to search with (JPEG, PNG or WebP).")
        spec.option("recipe", metavar: "FILE", help: "Recipe JSON file to search with (title, ingredients, instructions).")
        spec.option("count", metavar: "N", help: "Number of results.", default: "5")
        spec.option("filter", metavar: "EXPR", help: "FILTER expression over the elements' attributes.")
        spec.flag("json", help: "Print the results as a JSON array instead of a table.")
        return spec
    }

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try makeSpec().parse(arguments)
        let connection = try ConnectionOptions(parsed)
        let key = parsed.string("key")!
        let count = try parsed.integer("count", in: 1...100_000)!

        let input: (kind: String, bytes: [UInt8], path: String)
        switch (parsed.string("image"), parsed.string("recipe")) {
        case (let path?, nil):
            input = ("IMAGE", try readFile(path), path)
        case (nil, let path?):
            input = ("RECIPE", try readFile(path), path)
        default:
            throw QueryError.inputChoice
        }

        var command: [[UInt8]] = [Array("VSIM".utf8), Array(key.utf8), Array(input.kind.utf8), input.bytes,
                                  Array("COUNT".utf8), Array(String(count).utf8),
                                  Array("WITHSCORES".utf8), Array("WITHATTRIBS".utf8)]
        if let filter = parsed.string("filter") {
            command += [Array("FILTER".utf8), Array(filter.utf8)]
        }
        if input.kind == "RECIPE", (try? JSONSerialization.jsonObject(with: Data(input.bytes))) as? [String: Any] == nil {
            throw QueryError.invalidRecipeFile(parsed.string("recipe")!)
        }
        let client = try connection.connect()
        if case .integer(0) = try client.command(["EXISTS", key]) {
            throw QueryError.missingKey(key)
        }
        let reply = try client.command(bytes: command)
        let matches = try Match.parse(reply, command: "VSIM \(input.kind) \(input.path)")

        if parsed.flag("json") {
            Console.out(Match.json(matches))
        } else {
            Console.out(Match.table(matches))
        }
        return 0
    }

    private static func readFile(_ path: String) throws -> [UInt8] {
        // FileHandle also reads pipes such as /dev/stdin and bash's <(...).
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ImportError.unreadable(path: path, reason: "file not found or not readable")
        }
        defer { try? handle.close() }
        return [UInt8](handle.readDataToEndOfFile())
    }
}

/// One search result as `larder query` prints it.
struct Match {
    let id: String
    let score: Double
    let attributes: String?

    /// The recipe title from the attributes JSON, when it has one.
    var title: String {
        guard let attributes,
              let object = (try? JSONSerialization.jsonObject(with: Data(attributes.utf8))) as? [String: Any],
              let title = object["title"] as? String else { return "" }
        return title
    }

    /// Reads a `VSIM ... WITHSCORES WITHATTRIBS` reply in its RESP2 (flat array of
    /// triples) or RESP3 (map of element to [score, attributes]) form.
    static func parse(_ reply: RESPValue, command: String) throws -> [Match] {
        switch reply {
        case .error(let message):
            throw ServerReplyError(message: message, command: command)
        case .array(let items), .set(let items):
            guard items.count % 3 == 0 else {
                throw ClientError.invalidReply("expected element, score and attributes triples, got \(items.count) items")
            }
            return stride(from: 0, to: items.count, by: 3).map { index in
                Match(id: items[index].string ?? "", score: number(items[index + 1]), attributes: items[index + 2].string)
            }
        case .map(let entries):
            return entries.map { entry in
                var score = 0.0
                var attributes: String?
                if case .array(let pair) = entry.value, pair.count == 2 {
                    score = number(pair[0])
                    attributes = pair[1].string
                } else {
                    score = number(entry.value)
                }
                return Match(id: entry.key.string ?? "", score: score, attributes: attributes)
            }
        case .null, .nullArray:
            return []
        default:
            throw ClientError.invalidReply("unexpected reply \(reply)")
        }
    }

    private static func number(_ value: RESPValue) -> Double {
        switch value {
        case .double(let number): return number
        case .integer(let number): return Double(number)
        default: return Double(value.string ?? "") ?? .nan
        }
    }

    /// Formats the matches as a plain-text table: rank, score, title and id.
    static func table(_ matches: [Match]) -> String {
        guard !matches.isEmpty else { return "no matches" }
        let titles = matches.map { String($0.title.prefix(48)) }
        // Elements without a recipe title, such as photos, get no title column.
        if titles.allSatisfy(\.isEmpty) {
            var lines = ["rank  score   id"]
            for (index, match) in matches.enumerated() {
                lines.append(String(index + 1).padded(to: 4) + "  " + String(format: "%.4f", match.score) + "  " + match.id)
            }
            return lines.joined(separator: "\n")
        }
        let titleWidth = max(5, titles.map(\.count).max() ?? 0)
        var lines = ["rank  score   " + "title".padded(to: titleWidth) + "  id"]
        for (index, match) in matches.enumerated() {
            lines.append(String(index + 1).padded(to: 4) + "  " + String(format: "%.4f", match.score) + "  "
                         + titles[index].padded(to: titleWidth) + "  " + match.id)
        }
        return lines.joined(separator: "\n")
    }

    /// Formats the matches as a JSON array of `{rank, id, score, title, attributes}` objects.
    static func json(_ matches: [Match]) -> String {
        let objects: [[String: Any]] = matches.enumerated().map { index, match in
            var object: [String: Any] = ["rank": index + 1, "id": match.id, "score": match.score, "title": match.title]
            if let attributes = match.attributes,
               let parsed = try? JSONSerialization.jsonObject(with: Data(attributes.utf8)) {
                object["attributes"] = parsed
            }
            return object
        }
        let data = (try? JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}

extension String {
    /// Returns the string padded with spaces to `width` characters.
    func padded(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}

/// A `larder query` request that cannot be sent.
enum QueryError: Error, CustomStringConvertible {
    case inputChoice
    case invalidRecipeFile(String)
    case missingKey(String)

    var description: String {
        switch self {
        case .inputChoice:
            return "give exactly one of --image FILE or --recipe FILE"
        case .invalidRecipeFile(let path):
            return "'\(path)' is not a recipe JSON object; expected {\"title\": ..., \"ingredients\": [...], \"instructions\": [...]}"
        case .missingKey(let key):
            return "vector set '\(key)' does not exist on the server; check --key (import creates it)"
        }
    }
}
