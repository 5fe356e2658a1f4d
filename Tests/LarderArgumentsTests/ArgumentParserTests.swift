import XCTest
@testable import LarderArguments

final class ArgumentParserTests: XCTestCase {
    private func makeSpec() -> CommandSpec {
        var spec = CommandSpec(name: "serve", summary: "Run the server.", positionalName: "FILE...")
        spec.option("port", metavar: "PORT", help: "TCP port.", default: "7379")
        spec.option("dir", metavar: "DIR", help: "Data directory.", required: true)
        spec.option("tag", metavar: "TAG", help: "A tag.", repeatable: true)
        spec.flag("verbose", help: "Log more.")
        return spec
    }

    func testValuesDefaultsFlagsAndPositionals() throws {
        let parsed = try makeSpec().parse(["--dir=/tmp/x", "a.jsonl", "--verbose", "--tag", "one", "--tag", "two", "b.jsonl"])
        XCTAssertEqual(parsed.string("dir"), "/tmp/x")
        XCTAssertEqual(try parsed.integer("port"), 7379)
        XCTAssertTrue(parsed.flag("verbose"))
        XCTAssertEqual(parsed.strings("tag"), ["one", "two"])
        XCTAssertEqual(parsed.positionals, ["a.jsonl", "b.jsonl"])
    }

    func testErrorsNameTheArgument() {
        XCTAssertThrowsError(try makeSpec().parse(["--dir", "x", "--bogus"])) { error in
            XCTAssertEqual(error as? ArgumentError, .unknownOption("--bogus", command: "serve"))
        }
        XCTAssertThrowsError(try makeSpec().parse(["--port", "1"])) { error in
            XCTAssertEqual(error as? ArgumentError, .missingRequired("dir"))
        }
        XCTAssertThrowsError(try makeSpec().parse(["--dir"])) { error in
            XCTAssertEqual(error as? ArgumentError, .missingValue("dir"))
        }
    }

    func testMissingMessagesNameTheOptionAndTheFix() {
        XCTAssertEqual(ArgumentError.missingRequired("dir").description, "missing required option '--dir'")
        XCTAssertEqual(ArgumentError.missingRequired("dir", hint: "give a data directory").description,
                       "missing required option '--dir': give a data directory")
        XCTAssertEqual(ArgumentError.missingArgument("vector FILE: give one file").description,
                       "missing vector FILE: give one file")
    }

    func testIntegerRangeRejected() throws {
        let parsed = try makeSpec().parse(["--dir", "x", "--port", "99999"])
        XCTAssertThrowsError(try parsed.integer("port", in: 1...65535)) { error in
            XCTAssertTrue("\(error)".contains("'99999'"))
        }
    }

    func testHelpListsOptions() {
        XCTAssertThrowsError(try makeSpec().parse(["--help"])) { error in
            guard case .helpRequested(let text) = error as? ArgumentError else { return XCTFail("\(error)") }
            XCTAssertTrue(text.contains("--port PORT"))
            XCTAssertTrue(text.contains("(default: 7379)"))
        }
    }
}
