import Foundation
import LarderTestSupport
@testable import LarderTraining
import XCTest

final class DataReaderTests: XCTestCase {
    func testJSONLinesRecipesAndPairs() throws {
        let directory = try TemporaryDirectory()
        let url = directory.url.appendingPathComponent("pairs.jsonl")
        try """
        {"id": "a", "title": "Toast", "ingredients": ["1 slice bread"], "instructions": ["Toast it."], "image": "images/a.jpg", "tags": []}

        {"id": "b", "title": "Tea", "ingredients": [], "instructions": ["Boil water.", "Steep."]}
        """.write(to: url, atomically: true, encoding: .utf8)
        let records = try DataReader.recipes(jsonLines: url)
        XCTAssertEqual(records, [
            RecipeRecord(id: "a", title: "Toast", ingredients: ["1 slice bread"], instructions: ["Toast it."],
                         images: ["images/a.jpg"]),
            RecipeRecord(id: "b", title: "Tea", ingredients: [], instructions: ["Boil water.", "Steep."]),
        ])
    }

    func testInvalidLineNamesFileAndLine() throws {
        let directory = try TemporaryDirectory()
        let url = directory.url.appendingPathComponent("recipes.jsonl")
        try """
        {"id": "a", "title": "Toast", "ingredients": [], "instructions": []}
        {"id": "b", "ingredients": [], "instructions": []}
        """.write(to: url, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try DataReader.recipes(jsonLines: url)) { error in
            XCTAssertEqual(error as? DataError, .invalidRecord(path: url.path, line: 2, reason: "missing field 'title'"))
        }
        XCTAssertThrowsError(try DataReader.recipes(jsonLines: directory.url.appendingPathComponent("missing.jsonl")))
    }

    func testRecipe1MLayers() throws {
        // The layout of Recipe1M's layer1.json and layer2.json, cut down to two recipes.
        let directory = try TemporaryDirectory()
        let layer1 = directory.url.appendingPathComponent("layer1.json")
        let layer2 = directory.url.appendingPathComponent("layer2.json")
        try """
        [{"ingredients": [{"text": "6 ounces penne"}, {"text": "2 cups Beechers Flagship Cheese Sauce"}],
          "url": "http://www.food.com/recipe/x", "partition": "train", "title": "Worlds Best Mac and Cheese",
          "id": "000018c8a5", "instructions": [{"text": "Preheat the oven to 350 F."}, {"text": "Bake."}]},
         {"ingredients": [{"text": "1 egg"}], "url": "http://example/y", "partition": "val",
          "title": "Boiled Egg", "id": "00003a70b1", "instructions": [{"text": "Boil the egg."}]}]
        """.write(to: layer1, atomically: true, encoding: .utf8)
        try """
        [{"id": "000018c8a5", "images": [{"id": "3e233001e2.jpg", "url": "http://example/1.jpg"},
                                         {"id": "7f749987f9.jpg", "url": "http://example/2.jpg"}]}]
        """.write(to: layer2, atomically: true, encoding: .utf8)

        let train = try DataReader.recipe1M(layer1: layer1, layer2: layer2, partition: "train")
        XCTAssertEqual(train.count, 1)
        XCTAssertEqual(train[0].title, "Worlds Best Mac and Cheese")
        XCTAssertEqual(train[0].ingredients, ["6 ounces penne", "2 cups Beechers Flagship Cheese Sauce"])
        XCTAssertEqual(train[0].instructions, ["Preheat the oven to 350 F.", "Bake."])
        XCTAssertEqual(train[0].images, ["train/3/e/2/3/3e233001e2.jpg", "train/7/f/7/4/7f749987f9.jpg"])

        let validation = try DataReader.recipe1M(layer1: layer1, layer2: nil, partition: "val")
        XCTAssertEqual(validation.map(\.id), ["00003a70b1"])
        XCTAssertEqual(validation[0].images, [])
    }

    func testWeakPairsMatchWholeWords() {
        let recipes = ["Dutch Apple Pies", "Pineapple Pie", "Beignet", "apple-pie bars", "Baby Back Ribs"].enumerated().map {
            RecipeRecord(id: "\($0.offset)", title: $0.element, ingredients: [], instructions: [])
        }
        let photos = [LabelledPhoto(image: "p1.jpg", label: "apple pie"),
                      LabelledPhoto(image: "p2.jpg", label: "beignets"),
                      LabelledPhoto(image: "p3.jpg", label: "baby back ribs"),
                      LabelledPhoto(image: "p4.jpg", label: "bibimbap")]
        XCTAssertEqual(WeakPairing.matches(photos: photos, recipes: recipes), [[0, 3], [2], [4], []])
    }

    func testWeakPairsAreSeededMatches() {
        let recipes = ["Dutch Apple Pie", "Apple Pie Bars", "Beignets", "Toast"].enumerated().map {
            RecipeRecord(id: "\($0.offset)", title: $0.element, ingredients: ["x"], instructions: ["y"])
        }
        let photos = [LabelledPhoto(image: "a.jpg", label: "apple pie"), LabelledPhoto(image: "b.jpg", label: "bibimbap"),
                      LabelledPhoto(image: "c.jpg", label: "beignets")]
        let pairs = WeakPairing.pairs(photos: photos, recipes: recipes, seed: 3)
        XCTAssertEqual(pairs.map(\.id), ["weak:a.jpg", "weak:c.jpg"])
        XCTAssertTrue(["Dutch Apple Pie", "Apple Pie Bars"].contains(pairs[0].title))
        XCTAssertEqual(pairs[1].title, "Beignets")
        XCTAssertEqual(pairs[1].images, ["c.jpg"])
        XCTAssertEqual(WeakPairing.pairs(photos: photos, recipes: recipes, seed: 3), pairs)
    }

    func testSharedDataFilesRead() throws {
        let data = try SharedData.require()
        let pairs = try DataReader.recipes(jsonLines: data.appendingPathComponent("pairs.jsonl"))
        XCTAssertEqual(pairs.count, 423)
        XCTAssertTrue(pairs.allSatisfy { $0.images.count == 1 })
        let photos = try DataReader.labelledPhotos(jsonLines: data.appendingPathComponent("food101.jsonl"))
        XCTAssertEqual(photos.count, 800)
    }
}
