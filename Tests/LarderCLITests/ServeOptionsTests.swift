import Foundation
import LarderTestSupport
import XCTest

/// `larder serve` set-up errors name the value, and the file and line when it comes from `--config`.
final class ServeOptionsTests: XCTestCase {
    func testConfigErrorsNameFileAndLine() throws {
        let directory = try TemporaryDirectory()
        let config = directory.url.appendingPathComponent("larder.conf")
        try "# settings\nport 0\n\nbogus-option 3\n".write(to: config, atomically: true, encoding: .utf8)
        let unknown = try LarderExecutable.run(["serve", "--in-memory", "--config", config.path])
        XCTAssertEqual(unknown.status, 2, unknown.errors)
        XCTAssertTrue(unknown.errors.contains("\(config.path) line 4: unknown option '--bogus-option'"), unknown.errors)

        try "port seventy\n".write(to: config, atomically: true, encoding: .utf8)
        let invalid = try LarderExecutable.run(["serve", "--in-memory", "--config", config.path])
        XCTAssertTrue(invalid.errors.contains("\(config.path) line 1: invalid value 'seventy' for '--port'"), invalid.errors)
    }

    func testCommandLineValueErrorNamesNoFile() throws {
        let directory = try TemporaryDirectory()
        let config = directory.url.appendingPathComponent("larder.conf")
        try "port 0\n".write(to: config, atomically: true, encoding: .utf8)
        let result = try LarderExecutable.run(["serve", "--in-memory", "--config", config.path, "--port", "x"])
        XCTAssertTrue(result.errors.contains("invalid value 'x' for '--port'"), result.errors)
        XCTAssertFalse(result.errors.contains(config.path), result.errors)
    }

    func testDirThatIsAFileIsRejected() throws {
        let directory = try TemporaryDirectory()
        let file = directory.url.appendingPathComponent("data")
        try "not a directory".write(to: file, atomically: true, encoding: .utf8)
        let result = try LarderExecutable.run(["serve", "--port", "0", "--dir", file.path])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.errors.contains("invalid value '\(file.path)' for '--dir'"), result.errors)
        XCTAssertTrue(result.errors.contains("it is a file"), result.errors)
    }
}
