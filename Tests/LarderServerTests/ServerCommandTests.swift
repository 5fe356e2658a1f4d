import Foundation
import LarderRESP
import LarderServer
import LarderTestSupport
import XCTest

final class ServerCommandTests: XCTestCase {
    func testAuthenticationGate() throws {
        let server = try ServerHarness.start(self) { $0.requirePass = "s3cret" }
        let client = try TestClient(port: server.port)
        XCTAssertEqual(try client.call("PING"), .error("NOAUTH Authentication required."))
        XCTAssertEqual(try client.call("VCARD", "k"), .error("NOAUTH Authentication required."))
        XCTAssertEqual(try client.call("AUTH", "wrong"),
                       .error("WRONGPASS invalid username-password pair or user is disabled."))
        XCTAssertEqual(try client.call("AUTH", "s3cret"), .ok)
        XCTAssertEqual(try client.call("PING"), .simpleString("PONG"))

        let resp3 = try TestClient(port: server.port)
        XCTAssertEqual(try resp3.call("HELLO", "3"), .error("NOAUTH Authentication required."))
        guard case .map(let entries) = try resp3.call("HELLO", "3", "AUTH", "default", "s3cret", "SETNAME", "t") else {
            return XCTFail("HELLO with AUTH did not return a map")
        }
        XCTAssertTrue(entries.contains(RESPMapEntry(.bulk("proto"), .integer(3))))
        XCTAssertEqual(try resp3.call("CLIENT", "GETNAME"), .bulk("t"))
        XCTAssertEqual(try resp3.call("QUIT"), .ok)
        XCTAssertEqual(try resp3.socket.receiveUntilClosed(), [])
    }

    func testAuthWithoutPasswordConfigured() throws {
        let server = try ServerHarness.start(self)
        let client = try TestClient(port: server.port)
        XCTAssertTrue(try client.call("AUTH", "x").errorMessage?.contains("without any password configured") == true)
        XCTAssertTrue(try client.call("HELLO", "4").errorMessage?.hasPrefix("NOPROTO") == true)
    }

    func testUnprotectedNonLoopbackBindIsRejected() {
        var configuration = ServerConfiguration()
        configuration.host = "0.0.0.0"
        configuration.port = 0
        let server = LarderServer(configuration: configuration, keyspace: MemoryKeyspace())
        XCTAssertThrowsError(try server.start()) { error in
            XCTAssertEqual(error as? ServerConfigurationError, .unprotectedBind(host: "0.0.0.0"))
        }
    }

    func testInfoKeyspaceCommandsAndSlowLog() throws {
        let server = try ServerHarness.start(self) { $0.slowLogThresholdMicros = 0 }
        let client = try TestClient(port: server.port)
        XCTAssertEqual(try client.call("VADD", "a", "VALUES", "2", "1", "0", "x"), .integer(1))
        XCTAssertEqual(try client.call("VADD", "b", "VALUES", "2", "1", "0", "x"), .integer(1))
        XCTAssertEqual(try client.call("DBSIZE"), .integer(2))
        XCTAssertEqual(try client.call("EXISTS", "a", "b", "c"), .integer(2))
        XCTAssertEqual(try client.call("TYPE", "a"), .simpleString("vectorset"))
        XCTAssertEqual(try client.call("KEYS", "*").strings, ["a", "b"])
        XCTAssertEqual(try client.call("DEL", "a", "c"), .integer(1))
        XCTAssertEqual(try client.call("SAVE"), .ok)
        let info = try client.call("INFO").string ?? ""
        for section in ["# Server", "# Clients", "# Memory", "# Stats", "# Persistence", "# Keyspace"] {
            XCTAssertTrue(info.contains(section), "INFO lacks \(section)")
        }
        XCTAssertTrue(info.contains("db0:keys=1"), info)
        XCTAssertTrue(info.contains("connected_clients:1"), info)
        guard case .array(let entries) = try client.call("SLOWLOG", "GET", "100") else { return XCTFail("SLOWLOG") }
        XCTAssertGreaterThan(entries.count, 3)
        for _ in 0..<3 { XCTAssertEqual(try client.call("PING"), .simpleString("PONG")) }
        XCTAssertEqual(try client.call("NOSUCH"), .error("ERR unknown command 'NOSUCH', with args beginning with: "))
        let commandStats = try client.call("INFO", "commandstats").string ?? ""
        XCTAssertTrue(commandStats.contains("cmdstat_ping:calls=3,"), commandStats)
        XCTAssertTrue(commandStats.contains("cmdstat_(rejected):calls=1,"), commandStats)
        XCTAssertTrue(commandStats.contains("cmdstat_vadd:calls=2,"), commandStats)
        XCTAssertEqual(try client.call("SELECT", "0"), .ok)
        guard case .array(let commands) = try client.call("COMMAND") else { return XCTFail("COMMAND") }
        XCTAssertGreaterThan(commands.count, 20)
    }

    func testShutdownFinishesAndFlushesStorage() throws {
        let directory = try TemporaryDirectory()
        let keyspace = try StorageKeyspace(directory: directory.url, appendFsync: "always")
        let server = try ServerHarness.start(self, keyspace: keyspace)
        let client = try TestClient(port: server.port)
        for index in 0..<20 {
            XCTAssertEqual(try client.call("VADD", "d", "VALUES", "2", "1", "\(index)", "e\(index)"), .integer(1))
        }
        XCTAssertEqual(try client.call("SHUTDOWN"), .ok)
        try server.waitUntilStopped()
        XCTAssertEqual(try client.socket.receiveUntilClosed(), [])

        let reopened = try StorageKeyspace(directory: directory.url, appendFsync: "always")
        XCTAssertEqual(reopened.vectorSet("d")?.count, 20)
        try reopened.close()
    }
}
