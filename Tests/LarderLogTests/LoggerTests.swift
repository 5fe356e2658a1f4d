import XCTest
@testable import LarderLog

final class LoggerTests: XCTestCase {
    override func tearDown() {
        LogSystem.sink = StandardErrorSink()
        LogSystem.level = .info
    }

    func testLevelFilterDropsLowerLevels() {
        let sink = MemorySink()
        LogSystem.sink = sink
        LogSystem.level = .warning
        let logger = Logger(label: "test")
        logger.info("hidden")
        logger.error("shown")
        XCTAssertEqual(sink.lines.count, 1)
        XCTAssertTrue(sink.lines[0].contains("error [test] shown"), sink.lines[0])
    }

    func testMetadataAppendedSortedAndQuoted() {
        let sink = MemorySink()
        LogSystem.sink = sink
        let logger = Logger(label: "server").with("request", "42")
        logger.info("slow command", ["command": "VSIM key", "ms": "12"])
        let line = sink.lines.first ?? ""
        XCTAssertTrue(line.hasSuffix("slow command command=\"VSIM key\" ms=12 request=42"), line)
    }

    func testLevelNamesParse() {
        XCTAssertEqual(LogLevel(name: "WARNING"), .warning)
        XCTAssertEqual(LogLevel(name: "debug"), .debug)
        XCTAssertNil(LogLevel(name: "loud"))
    }

    func testRateLimiterCountsSuppressed() {
        let limiter = LogRateLimiter(limit: 2, interval: 10)
        XCTAssertTrue(limiter.admit(now: 100).allowed)
        XCTAssertTrue(limiter.admit(now: 101).allowed)
        XCTAssertFalse(limiter.admit(now: 102).allowed)
        XCTAssertFalse(limiter.admit(now: 103).allowed)
        let next = limiter.admit(now: 111)
        XCTAssertTrue(next.allowed)
        XCTAssertEqual(next.suppressedBefore, 2)
    }
}
