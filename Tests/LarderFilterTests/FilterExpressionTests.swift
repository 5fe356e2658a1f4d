import LarderFilter
import XCTest

final class FilterExpressionTests: XCTestCase {
    private let movie = #"{"year": 1984, "rating": 8.1, "genre": "action", "title": "The Terminator", "#
        + #""tags": ["sci-fi", "robots"], "classic": true, "sequel": false, "budget": null, "code": "42"}"#

    private func check(_ expression: String, _ expected: Bool, file: StaticString = #filePath, line: UInt = #line) {
        do {
            let filter = try FilterExpression(expression)
            XCTAssertEqual(filter.matches(json: movie), expected, expression, file: file, line: line)
        } catch {
            XCTFail("\(expression) did not compile: \(error)", file: file, line: line)
        }
    }

    func testComparisons() {
        check(".year > 1980", true)
        check(".year >= 1984", true)
        check(".year < 1984", false)
        check(".year <= 1983", false)
        check(".year == 1984", true)
        check(".year != 1984", false)
        check(".genre == \"action\"", true)
        check(".genre == 'drama'", false)
        check(".genre > \"a\"", true)
        check(".code == 42", true)
    }

    func testArithmeticAndPrecedence() {
        check(".year - 1900 == 84", true)
        check("2 + 3 * 4 == 14", true)
        check("(2 + 3) * 4 == 20", true)
        check("2 ** 3 ** 2 == 512", true)
        check("-.year == -1984", true)
        check(".year % 100 == 84", true)
        check(".rating * 10 > 80", true)
        check("10 / 4 == 2.5", true)
        check(".year / 0 == 1", false)
    }

    func testLogic() {
        check(".year > 1980 and .rating > 8", true)
        check(".year > 1990 && .rating > 8", false)
        check(".year > 1990 or .genre == \"action\"", true)
        check(".year > 1990 || .genre == \"drama\"", false)
        check("not (.year > 1990)", true)
        // `not` binds tighter than comparisons, as `!` does in JavaScript.
        check("not .year > 1990", false)
        check("!(.year > 1980)", false)
        check(".classic", true)
        check(".sequel", false)
        check(".classic == true", true)
        check(".sequel == 0", true)
        check("not .missing == 1 or .year == 1984", true)
    }

    func testInOperator() {
        check(".genre in [\"action\", \"comedy\"]", true)
        check(".genre in [\"drama\"]", false)
        check(".year in [1983, 1984]", true)
        check("\"robots\" in .tags", true)
        check("\"zombies\" in .tags", false)
        check("\"Term\" in .title", true)
        check(".genre in []", false)
    }

    func testMissingFieldsAndNullNeverMatch() {
        check(".missing > 3", false)
        check(".missing == null", false)
        check(".budget == null", true)
        check(".budget > 3", false)
        check(".title + 1 > 0", false)
        XCTAssertFalse(try FilterExpression(".year > 1").matches(nil))
        XCTAssertFalse(try FilterExpression(".year > 1").matches(json: "not json"))
        XCTAssertFalse(try FilterExpression(".year > 1").matches(json: "[1,2]"))
    }

    func testParseErrorsNameTheProblem() {
        let cases: [(String, FilterParseError)] = [
            (".year >", .unexpectedEnd(expected: "a value, a .field selector or '('")),
            (".year > 1990 )", .unexpectedToken(")", offset: 13, expected: "an operator or the end")),
            (".a.b == 1", .nestedSelector(".a.b", offset: 0)),
            (". == 1", .emptySelector(offset: 0)),
            ("'open", .unterminatedString(offset: 0)),
            (".year @ 3", .unexpectedCharacter("@", offset: 6)),
            ("(.year > 1", .unexpectedEnd(expected: "')'")),
            ("year > 1", .unexpectedToken("year", offset: 0, expected: "a value, a .field selector or an operator")),
            ("1.2.3 > 1", .invalidNumber("1.2.3", offset: 0)),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try FilterExpression(text), text) { error in
                XCTAssertEqual(error as? FilterParseError, expected, text)
            }
        }
    }

    func testDeepNestingIsRejected() {
        let deep = String(repeating: "(", count: 500) + "1" + String(repeating: ")", count: 500)
        XCTAssertThrowsError(try FilterExpression(deep)) { error in
            XCTAssertEqual(error as? FilterParseError, .tooDeep(maximum: FilterExpression.maxDepth))
        }
        XCTAssertNoThrow(try FilterExpression("((((1))))"))
    }

    func testJSONParser() throws {
        let value = try JSONValue.parse(#" {"a": [1, -2.5e1, "x\"\u00e9\ud83d\ude00"], "b": {"c": null}, "d": true} "#)
        guard case .object(let members) = value else { return XCTFail("not an object") }
        XCTAssertEqual(members["a"], .array([.number(1), .number(-25), .string("x\"é😀")]))
        XCTAssertEqual(members["b"], .object(["c": .null]))
        XCTAssertEqual(members["d"], .bool(true))
        for bad in ["", "{", "{\"a\" 1}", "[1,]", "tru", "\"abc", "{\"a\":1} x", "[\"\\q\"]"] {
            XCTAssertThrowsError(try JSONValue.parse(bad), bad)
        }
    }
}
