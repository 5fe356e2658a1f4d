import Foundation
import LarderLog
import LarderRESP
import LarderServer
import LarderTestSupport
import XCTest

final class ServerLoggingTests: XCTestCase {
    func testClientErrorsAreRateLimitedAndCarryRequestIDs() throws {
        let sink = MemorySink()
        let previousSink = LogSystem.sink
        let previousLevel = LogSystem.level
        LogSystem.sink = sink
        LogSystem.level = .info
        defer {
            LogSystem.sink = previousSink
            LogSystem.level = previousLevel
        }

        let server = try ServerHarness.start(self) { $0.clientErrorLogRate = 5 }
        let client = try TestClient(port: server.port)
        for _ in 0..<100 { client.send(["NOSUCHCOMMAND"]) }
        for _ in 0..<100 { XCTAssertNotNil(try client.read().errorMessage) }

        let rejected = sink.lines.filter { $0.contains("command rejected") }
        XCTAssertGreaterThanOrEqual(rejected.count, 5)
        XCTAssertLessThan(rejected.count, 100, "client errors were not rate-limited")
        XCTAssertTrue(rejected.allSatisfy { $0.contains("request=") }, rejected.first ?? "")
        XCTAssertTrue(sink.lines.contains { $0.contains("listening") })
    }

    func testSlowCommandIsLoggedWithDuration() throws {
        let sink = MemorySink()
        let previousSink = LogSystem.sink
        LogSystem.sink = sink
        defer { LogSystem.sink = previousSink }

        let server = try ServerHarness.start(self) { $0.slowLogThresholdMicros = 0 }
        let client = try TestClient(port: server.port)
        XCTAssertEqual(try client.call("VADD", "s", "VALUES", "2", "1", "0", "a"), .integer(1))
        let slow = sink.lines.filter { $0.contains("slow command") && $0.contains("command=VADD") }
        XCTAssertEqual(slow.count, 1, sink.lines.joined(separator: "\n"))
        XCTAssertTrue(slow.first?.contains("duration_us=") == true)
        XCTAssertEqual(try client.call("SLOWLOG", "LEN"), .integer(1))
    }
}
