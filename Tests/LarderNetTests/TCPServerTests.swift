import Foundation
import LarderLog
import LarderTestSupport
import XCTest
@testable import LarderNet

/// Echoes every byte back; `BLAST n` lines make it write n MiB without waiting.
private final class EchoHandler: ConnectionHandler {
    func connectionDidOpen(_ connection: Connection) {}

    func connection(_ connection: Connection, didRead bytes: UnsafeRawBufferPointer) {
        let received = Array(bytes)
        if received.starts(with: Array("BLAST".utf8)) {
            let chunk = [UInt8](repeating: 120, count: 1 << 20)
            for _ in 0..<64 where !connection.isClosed {
                connection.write(chunk)
                connection.flush()
            }
            return
        }
        connection.write(received)
        connection.flush()
    }

    func connectionDidClose(_ connection: Connection, reason: CloseReason) {}
}

final class TCPServerTests: XCTestCase {
    private func startServer(_ configure: (inout NetConfiguration) -> Void = { _ in }) throws -> TCPServer {
        var configuration = NetConfiguration(port: 0, ioThreads: 2)
        configure(&configuration)
        let server = TCPServer(configuration: configuration) { _ in EchoHandler() }
        try server.start()
        addTeardownBlock { server.stop(grace: 0.5) }
        return server
    }

    private func waitUntil(_ condition: () -> Bool, timeout: Double = 5) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() {
            if Date() > deadline { return false }
            usleep(2_000)
        }
        return true
    }

    func testEchoRoundTrip() throws {
        let server = try startServer()
        let client = try TestSocket(port: server.port)
        client.send("hello")
        XCTAssertEqual(try client.receive(exactly: 5), Array("hello".utf8))
        XCTAssertTrue(waitUntil { server.connectionCount == 1 })
    }

    func testLargeEchoCrossesEAGAIN() throws {
        let server = try startServer()
        let client = try TestSocket(port: server.port)
        let payload = (0..<(8 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let sender = Thread { client.send(payload) }
        sender.start()
        XCTAssertEqual(try client.receive(exactly: payload.count), payload)
    }

    func testThousandConcurrentConnections() throws {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        try XCTSkipIf(limit.rlim_cur < 2_200, "needs ulimit -n of at least 2200 (client and server ends)")
        let server = try startServer()
        var clients: [TestSocket] = []
        for _ in 0..<1_000 { clients.append(try TestSocket(port: server.port)) }
        XCTAssertTrue(waitUntil { server.connectionCount == 1_000 }, "open: \(server.connectionCount)")
        for (index, client) in clients.enumerated() { client.send("c\(index);") }
        for (index, client) in clients.enumerated() {
            let expected = Array("c\(index);".utf8)
            XCTAssertEqual(try client.receive(exactly: expected.count), expected)
        }
        clients.removeAll()
        XCTAssertTrue(waitUntil { server.connectionCount == 0 }, "open: \(server.connectionCount)")
    }

    func testMaxClientsRejectsWithMessage() throws {
        let server = try startServer {
            $0.maxClients = 2
            $0.rejectionMessage = Array("-ERR max number of clients reached\r\n".utf8)
        }
        let first = try TestSocket(port: server.port)
        let second = try TestSocket(port: server.port)
        XCTAssertTrue(waitUntil { server.connectionCount == 2 })
        let third = try TestSocket(port: server.port)
        XCTAssertEqual(String(decoding: try third.receiveUntilClosed(), as: UTF8.self),
                       "-ERR max number of clients reached\r\n")
        XCTAssertEqual(server.rejectedConnections, 1)
        first.send("a")
        XCTAssertEqual(try first.receive(exactly: 1), [UInt8(ascii: "a")])
        second.send("b")
        XCTAssertEqual(try second.receive(exactly: 1), [UInt8(ascii: "b")])
    }

    func testIdleTimeoutClosesConnection() throws {
        let server = try startServer { $0.idleTimeout = 1 }
        let idle = try TestSocket(port: server.port)
        let start = Date()
        XCTAssertEqual(try idle.receiveUntilClosed(), [])
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(start), 0.9)
        XCTAssertTrue(waitUntil { server.connectionCount == 0 })
    }

    func testClientThatNeverReadsHitsOutputLimit() throws {
        let server = try startServer { $0.maxOutputBuffer = 4 << 20 }
        let greedy = try TestSocket(port: server.port)
        var size: Int32 = 4096
        setsockopt(greedy.descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        greedy.send("BLAST")
        XCTAssertTrue(waitUntil { server.connectionCount == 0 }, "the greedy client is still connected")
        // Others are unaffected.
        let polite = try TestSocket(port: server.port)
        polite.send("ok")
        XCTAssertEqual(try polite.receive(exactly: 2), Array("ok".utf8))
    }

    func testStopClosesClientsAndPort() throws {
        var configuration = NetConfiguration(port: 0, ioThreads: 1)
        configuration.idleTimeout = 0
        let server = TCPServer(configuration: configuration) { _ in EchoHandler() }
        try server.start()
        let port = server.port
        let client = try TestSocket(port: port)
        XCTAssertTrue(waitUntil { server.connectionCount == 1 })
        server.stop(grace: 1)
        XCTAssertEqual(try client.receiveUntilClosed(), [])
        XCTAssertThrowsError(try TestSocket(port: port))
    }

    func testInvalidBindAddress() {
        let server = TCPServer(configuration: NetConfiguration(host: "not-an-ip", port: 0)) { _ in EchoHandler() }
        XCTAssertThrowsError(try server.start()) { error in
            XCTAssertTrue(error is InvalidAddressError, "\(error)")
        }
    }

    func testIPv6Loopback() throws {
        let server = TCPServer(configuration: NetConfiguration(host: "::1", port: 0, ioThreads: 1)) { _ in EchoHandler() }
        do {
            try server.start()
        } catch {
            throw XCTSkip("IPv6 loopback unavailable: \(error)")
        }
        defer { server.stop(grace: 0.2) }
        XCTAssertGreaterThan(server.port, 0)
    }
}
