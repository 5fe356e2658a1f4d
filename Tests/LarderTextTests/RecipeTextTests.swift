import Foundation
import LarderText
import XCTest

final class RecipeTextTests: XCTestCase {
    func testParsesRecordAndIgnoresOtherFields() throws {
        let json = #"{"id": "x", "title": "Tea", "ingredients": ["water", "tea"], "instructions": [], "tags": ["hot"]}"#
        let recipe = try RecipeText(json: Data(json.utf8))
        XCTAssertEqual(recipe, RecipeText(title: "Tea", ingredients: ["water", "tea"], instructions: []))
    }

    func testInvalidRecordsNameTheProblem() {
        let cases: [(String, RecipeTextError)] = [
            (#"["title"]"#, .notAnObject),
            (#"{"ingredients": [], "instructions": []}"#, .missingField("title")),
            (#"{"title": "t", "instructions": []}"#, .missingField("ingredients")),
            (#"{"title": ["t"], "ingredients": [], "instructions": []}"#, .wrongType(field: "title", expected: "a string")),
            (#"{"title": "t", "ingredients": [1], "instructions": []}"#,
             .wrongType(field: "ingredients", expected: "an array of strings")),
            (#"{"title": "t", "ingredients": [], "instructions": "stir"}"#,
             .wrongType(field: "instructions", expected: "an array of strings")),
        ]
        for (json, expected) in cases {
            XCTAssertThrowsError(try RecipeText(json: Data(json.utf8)), json) { error in
                XCTAssertEqual(error as? RecipeTextError, expected, json)
            }
        }
        XCTAssertThrowsError(try RecipeText(json: Data(#"{"title": "#.utf8))) { error in
            guard case .invalidJSON? = error as? RecipeTextError else { return XCTFail("\(error)") }
        }
        // The message names the position where the JSON breaks.
        XCTAssertThrowsError(try RecipeText(json: Data(#"{"title": x}"#.utf8))) { error in
            guard case .invalidJSON(let reason)? = error as? RecipeTextError else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("character 10"), reason)
        }
    }
}
