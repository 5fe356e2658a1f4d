import Foundation
import LarderRESP
import LarderTestSupport
import XCTest

/// `larder serve` as a child process, from the shared test support.
typealias ServeProcess = LarderServerProcess

final class ServeBinaryTests: XCTestCase {
    func testSIGTERMShutsDownGracefully() throws {
        let directory = try TemporaryDirectory()
        let server = try ServeProcess(arguments: ["--dir", directory.url.path])
        let client = try TestClient(port: server.port)
        XCTAssertEqual(try client.call("VADD", "k", "VALUES", "2", "1", "0", "a"), .integer(1))
        kill(server.process.processIdentifier, SIGTERM)
        XCTAssertEqual(server.waitForExit(), 0, server.output)
        XCTAssertTrue(server.output.contains("stopped; data flushed"), server.output)

        // The restart reads its data directory from a config file.
        let config = directory.url.appendingPathComponent("larder.conf")
        try "# restart settings\ndir \(directory.url.path)\nappendfsync always  # safest\n"
            .write(to: config, atomically: true, encoding: .utf8)
        let restarted = try ServeProcess(arguments: ["--config", config.path])
        let again = try TestClient(port: restarted.port)
        XCTAssertEqual(try again.call("VCARD", "k"), .integer(1))
        XCTAssertEqual(try again.call("SHUTDOWN"), .ok)
        XCTAssertEqual(restarted.waitForExit(), 0, restarted.output)
    }

    func testKillDuringWritesKeepsAcknowledgedWrites() throws {
        let directory = try TemporaryDirectory()
        var acknowledged = Set<String>()
        for cycle in 0..<3 {
            let server = try ServeProcess(arguments: ["--dir", directory.url.path, "--appendfsync", "always"])
            let client = try TestClient(port: server.port, timeout: 5)
            // Pipeline writes and kill the server while replies are still arriving.
            for index in 0..<300 {
                client.send(["VADD", "crash", "VALUES", "3", "1", "\(cycle)", "\(index + 1)", "c\(cycle)-\(index)"])
            }
            for index in 0..<300 {
                if index == 100 { kill(server.process.processIdentifier, SIGKILL) }
                guard let reply = try? client.read() else { break }
                if case .integer = reply { acknowledged.insert("c\(cycle)-\(index)") }
            }
            _ = server.waitForExit()
        }
        let server = try ServeProcess(arguments: ["--dir", directory.url.path])
        let client = try TestClient(port: server.port)
        XCTAssertGreaterThanOrEqual(acknowledged.count, 300, "too few writes were acknowledged to test anything")
        for element in acknowledged.sorted() {
            XCTAssertEqual(try client.call("VISMEMBER", "crash", element), .integer(1), "lost acknowledged \(element)")
        }
        XCTAssertEqual(try client.call("SHUTDOWN"), .ok)
        XCTAssertEqual(server.waitForExit(), 0)
    }
}
