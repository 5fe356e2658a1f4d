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

    /// Each I/O thread counts commands in its own table and pipelined calls
    /// are counted per batch; INFO must still add up every call.
    func testCommandStatsAddUpAcrossThreadsAndPipelines() throws {
        let server = try ServerHarness.start(self)
        let clients = try (0..<6).map { _ in try TestClient(port: server.port) }
        for (index, client) in clients.enumerated() {
            // A pipelined burst: all requests written before any reply is read.
            for _ in 0..<(index + 1) { client.send(["PING"]) }
            for _ in 0..<(index + 1) { XCTAssertEqual(try client.read(), .simpleString("PONG")) }
        }
        // 1 + 2 + ... + 6 pipelined PINGs, plus the INFO call itself.
        let stats = try clients[0].call("INFO", "commandstats").string ?? ""
        XCTAssertTrue(stats.contains("cmdstat_ping:calls=21,"), stats)
        let totals = try clients[1].call("INFO", "stats").string ?? ""
        XCTAssertTrue(totals.contains("total_commands_processed:22"), totals)
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
    /// Q8RERANK sets keep their fp32 vectors through a segment and a reopen:
    /// VEMB gives back the exact components, VINFO names the mode, and a
    /// search still ranks by the exact vectors.
    func testRerankSetKeepsExactVectorsAcrossReopen() throws {
        let directory = try TemporaryDirectory()
        let keyspace = try StorageKeyspace(directory: directory.url, appendFsync: "always")
        let server = try ServerHarness.start(self, keyspace: keyspace)
        let client = try TestClient(port: server.port)
        let vectors: [[Float]] = (0..<50).map { i in [1, Float(i) * 0.013, 0.3 - Float(i % 7) * 0.021] }
        for (i, vector) in vectors.enumerated() {
            var arguments = ["VADD", "r", "VALUES", "3"] + vector.map { "\($0)" } + ["e\(i)"]
            if i == 0 { arguments.append("Q8RERANK") }
            XCTAssertEqual(try client.call(arguments), .integer(1))
        }
        let mismatch = try client.call("VADD", "r", "VALUES", "3", "1", "0", "0", "x", "Q8").errorMessage ?? ""
        XCTAssertTrue(mismatch.contains("uses Q8RERANK but this VADD requested Q8"), mismatch)
        XCTAssertEqual(try client.call("SAVE"), .ok)
        XCTAssertEqual(try client.call("SHUTDOWN"), .ok)
        try server.waitUntilStopped()

        let reopened = try StorageKeyspace(directory: directory.url, appendFsync: "always")
        let again = try ServerHarness.start(self, keyspace: reopened)
        let second = try TestClient(port: again.port)
        guard case .array(let info) = try second.call("VINFO", "r") else { return XCTFail("VINFO") }
        XCTAssertEqual(info.dropFirst().first?.string, "int8-rerank")
        guard case .array(let components) = try second.call("VEMB", "r", "e37") else { return XCTFail("VEMB") }
        let restored = components.compactMap { Float($0.string ?? "") }
        XCTAssertEqual(restored.count, 3)
        // The int8 code of e37 would be off by up to half a step (1/254); the fp32 row is exact.
        for (a, b) in zip(restored, vectors[37]) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        let query = ["VSIM", "r", "VALUES", "3"] + vectors[12].map { "\($0)" } + ["COUNT", "1"]
        XCTAssertEqual(try second.call(query).strings, ["e12"])
    }
}
