import Foundation

// MARK: - JSON Lines (Larder's data format)

/// Readers for the training data formats: Larder's JSON Lines recipes and
/// pairs, Recipe1M's `layer1.json` and `layer2.json`, and dish-labelled photos.
public enum DataReader {
    private struct JSONLinesRecipe: Codable {
        var id: String
        var title: String
        var ingredients: [String]
        var instructions: [String]
        var image: String?
    }

    private struct JSONLinesPhoto: Decodable {
        var image: String
        var label: String
    }

    /// Reads recipes, one JSON object a line with `id`, `title`,
    /// `ingredients`, `instructions` and, for a paired recipe, `image` (a
    /// path relative to the file's folder). Blank lines are skipped.
    /// - Throws: `DataError` naming the file and line of the first invalid record.
    public static func recipes(jsonLines url: URL) throws -> [RecipeRecord] {
        try decodeLines(url, as: JSONLinesRecipe.self).map {
            RecipeRecord(id: $0.id, title: $0.title, ingredients: $0.ingredients,
                         instructions: $0.instructions, images: $0.image.map { [$0] } ?? [])
        }
    }

    /// Writes recipes in the format `recipes(jsonLines:)` reads, with each
    /// record's first photo (if any) as `image`.
    public static func write(_ records: [RecipeRecord], jsonLines url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var output = Data()
        for record in records {
            output += try encoder.encode(JSONLinesRecipe(id: record.id, title: record.title, ingredients: record.ingredients,
                                                         instructions: record.instructions, image: record.images.first))
            output += Data("\n".utf8)
        }
        try output.write(to: url, options: .atomic)
    }

    /// Reads dish-labelled photos, one JSON object a line with `image` and `label`.
    public static func labelledPhotos(jsonLines url: URL) throws -> [LabelledPhoto] {
        try decodeLines(url, as: JSONLinesPhoto.self).map { LabelledPhoto(image: $0.image, label: $0.label) }
    }

    private static func decodeLines<Record: Decodable>(_ url: URL, as type: Record.Type) throws -> [Record] {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw DataError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        let decoder = JSONDecoder()
        var records: [Record] = []
        var lineNumber = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            guard line.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") }) else { continue }
            do {
                records.append(try decoder.decode(Record.self, from: Data(line)))
            } catch {
                throw DataError.invalidRecord(path: url.path, line: lineNumber, reason: describe(error))
            }
        }
        return records
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _):
            return "missing field '\(key.stringValue)'"
        case DecodingError.typeMismatch(let type, let context):
            return "field '\(context.codingPath.map(\.stringValue).joined(separator: "."))' is not \(type)"
        case DecodingError.valueNotFound(let type, let context):
            return "field '\(context.codingPath.map(\.stringValue).joined(separator: "."))' is null, expected \(type)"
        case DecodingError.dataCorrupted(let context):
            return "not valid JSON (\(context.debugDescription))"
        default:
            return "\(error)"
        }
    }
}

// MARK: - Recipe1M

extension DataReader {
    private struct Layer1Entry: Decodable {
        struct Text: Decodable { var text: String }
        var id: String
        var title: String
        var ingredients: [Text]
        var instructions: [Text]
        var partition: String
    }

    private struct Layer2Entry: Decodable {
        struct Image: Decodable { var id: String }
        var id: String
        var images: [Image]
    }

    /// Reads Recipe1M (Salvador et al., CVPR 2017): `layer1.json`, a JSON
    /// array of recipes with `id`, `title`, `partition` ("train", "val" or
    /// "test") and `ingredients` / `instructions` as lists of `{"text": ...}`,
    /// and optionally `layer2.json`, which lists each recipe's photo ids.
    ///
    /// Photo paths follow the dataset's folder layout,
    /// `PARTITION/a/b/c/d/IMAGE_ID` where `a`...`d` are the first four
    /// characters of the photo id. Returns the records of one partition.
    public static func recipe1M(layer1 url: URL, layer2: URL?, partition: String) throws -> [RecipeRecord] {
        let recipes: [Layer1Entry] = try decodeDocument(url)
        var photos: [String: [String]] = [:]
        if let layer2 {
            let entries: [Layer2Entry] = try decodeDocument(layer2)
            for entry in entries { photos[entry.id] = entry.images.map(\.id) }
        }
        return recipes.filter { $0.partition == partition }.map { entry in
            let paths = (photos[entry.id] ?? []).map { imageID -> String in
                let prefix = imageID.prefix(4).map(String.init)
                return ([entry.partition] + prefix + [imageID]).joined(separator: "/")
            }
            return RecipeRecord(id: entry.id, title: entry.title,
                                ingredients: entry.ingredients.map(\.text),
                                instructions: entry.instructions.map(\.text), images: paths)
        }
    }

    private static func decodeDocument<Document: Decodable>(_ url: URL) throws -> Document {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw DataError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        do {
            return try JSONDecoder().decode(Document.self, from: data)
        } catch {
            throw DataError.invalidRecord(path: url.path, line: 1, reason: describe(error))
        }
    }
}

// MARK: - Weak pairs

/// Pairs dish-labelled photos with recipes whose titles contain the dish name
/// as whole words, ignoring case, punctuation and a plural "s". So "apple pie"
/// matches "Dutch Apple Pies" but not "Pineapple Pie", and "beignets" matches "Beignet".
public enum WeakPairing {
    /// For each photo, the indices of the matching recipes (possibly none).
    /// - Complexity: O(photos' distinct labels × recipes).
    public static func matches(photos: [LabelledPhoto], recipes: [RecipeRecord]) -> [[Int]] {
        let titles = recipes.map { " " + normalized($0.title) + " " }
        var byLabel: [String: [Int]] = [:]
        for label in Set(photos.map(\.label)) {
            let needle = " " + normalized(label) + " "
            byLabel[label] = titles.indices.filter { titles[$0].contains(needle) }
        }
        return photos.map { byLabel[$0.label] ?? [] }
    }

    /// Training pairs made from dish-labelled photos: each photo with at
    /// least one matching recipe is paired with one of them, drawn with a
    /// generator seeded by `seed`. The pair keeps the recipe's text, takes the
    /// photo as its image, and gets the id `weak:` + photo path.
    public static func pairs(photos: [LabelledPhoto], recipes: [RecipeRecord], seed: UInt64) -> [RecipeRecord] {
        var generator = SplitMix64(seed: seed)
        return zip(photos, matches(photos: photos, recipes: recipes)).compactMap { photo, candidates in
            guard let index = candidates.randomElement(using: &generator) else { return nil }
            let recipe = recipes[index]
            return RecipeRecord(id: "weak:" + photo.image, title: recipe.title, ingredients: recipe.ingredients,
                                instructions: recipe.instructions, images: [photo.image])
        }
    }

    /// Lowercased words separated by single spaces, without punctuation,
    /// with a trailing "s" dropped from words longer than three letters.
    static func normalized(_ text: String) -> String {
        let words = text.lowercased().split { !$0.isLetter && !$0.isNumber }.map { word in
            word.count > 3 && word.hasSuffix("s") ? word.dropLast() : word
        }
        return words.joined(separator: " ")
    }
}
