import Foundation
import LarderRESP
import LarderServer
import LarderTestSupport
import XCTest

final class ProtocolRobustnessTests: XCTestCase {
    func testInlineCommandsAndPipelining() throws {
        let server = try ServerHarness.start(self)
        let client = try TestClient(port: server.port)
        client.socket.send("PING\r\nECHO \"hello world\"\r\n")
        XCTAssertEqual(try client.read(), .simpleString("PONG"))
        XCTAssertEqual(try client.read(), .bulk("hello world"))

        // 200 pipelined commands in one write, VADD and VSIM interleaved: replies come back in order.
        var batch: [UInt8] = []
        for index in 0..<100 {
            RESPEncoder.encodeCommand(["VADD", "p", "VALUES", "2", "1", "\(index + 1)", "e\(index)"].map { Array($0.utf8) },
                                      into: &batch)
            RESPEncoder.encodeCommand(["VCARD", "p"].map { Array($0.utf8) }, into: &batch)
        }
        client.socket.send(batch)
        for index in 0..<100 {
            XCTAssertEqual(try client.read(), .integer(1), "VADD \(index)")
            XCTAssertEqual(try client.read(), .integer(Int64(index + 1)), "VCARD after \(index)")
        }
    }

    func testMalformedInputLoopLeavesServerAndDataIntact() throws {
        let server = try ServerHarness.start(self) { $0.limits = RESPLimits(maxInlineLength: 1024, maxBulkLength: 4096) }
        let observer = try TestClient(port: server.port)
        XCTAssertEqual(try observer.call("VADD", "safe", "VALUES", "2", "1", "0", "x"), .integer(1))

        var generator = SeededGenerator(seed: 11)
        var inputs: [[UInt8]] = [
            Array("*abc\r\n".utf8), Array("*1\r\n$-7\r\n".utf8), Array("*1\r\n$99999999999\r\n".utf8),
            Array("*2\r\n$4\r\nECHO\r\n:5\r\n".utf8), Array("*1\r\n$4\r\nPINGxx".utf8),
            Array("*99999999999999999999\r\n".utf8), Array(repeating: UInt8(ascii: "A"), count: 5000),
            Array("ECHO \"unterminated\r\n".utf8), Array("*3\r\n$4\r\nVADD\r\n".utf8), [0, 255, 13, 10, 42, 36],
        ]
        for _ in 0..<40 {
            let length = Int.random(in: 1...600, using: &generator)
            inputs.append((0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) })
        }
        for (index, input) in inputs.enumerated() {
            let attacker = try TestClient(port: server.port, timeout: 2)
            attacker.socket.send(input)
            attacker.socket.send([13, 10])
            // Whatever the attacker gets back, another connection still works and the data is unchanged.
            XCTAssertEqual(try observer.call("PING"), .simpleString("PONG"), "after input \(index)")
            XCTAssertEqual(try observer.call("VCARD", "safe"), .integer(1), "after input \(index)")
        }
    }

    func testProtocolErrorRepliesAndCloses() throws {
        let server = try ServerHarness.start(self) { $0.limits = RESPLimits(maxBulkLength: 1024) }
        let client = try TestClient(port: server.port)
        client.socket.send("*1\r\n$5000\r\n")
        let reply = try client.read().errorMessage ?? ""
        XCTAssertTrue(reply.hasPrefix("ERR Protocol error: invalid bulk length '5000'"), reply)
        XCTAssertEqual(try client.socket.receiveUntilClosed(), [])
    }

    func testTricklingClientDoesNotDelayOthers() throws {
        let server = try ServerHarness.start(self) { $0.ioThreads = 1 }
        let slow = try TestClient(port: server.port)
        let fast = try TestClient(port: server.port)
        var request: [UInt8] = []
        RESPEncoder.encodeCommand(["VADD", "t", "VALUES", "4", "1", "2", "3", "4", "slow"].map { Array($0.utf8) },
                                  into: &request)
        // The slow client sends one byte every 10 ms; on the same I/O thread, the
        // fast client's 100 round trips finish before the slow request is complete.
        let finished = Locked(false)
        let bytes = request
        let trickle = Thread {
            for byte in bytes {
                slow.socket.send([byte])
                usleep(10_000)
            }
            finished.value = true
        }
        trickle.start()
        for _ in 0..<100 { XCTAssertEqual(try fast.call("PING"), .simpleString("PONG")) }
        XCTAssertFalse(finished.value, "the trickle ended before the fast client's commands; make it slower")
        XCTAssertEqual(try slow.read(), .integer(1))
    }

    func testThousandConcurrentClients() throws {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        try XCTSkipIf(limit.rlim_cur < 2_200, "needs ulimit -n of at least 2200 (client and server ends)")
        let server = try ServerHarness.start(self)
        var clients: [TestClient] = []
        for _ in 0..<1_000 { clients.append(try TestClient(port: server.port)) }
        for (index, client) in clients.enumerated() { client.send(["ECHO", "c\(index)"]) }
        for (index, client) in clients.enumerated() { XCTAssertEqual(try client.read(), .bulk("c\(index)")) }
        XCTAssertEqual(server.connectionCount, 1_000)
    }

    func testClientThatNeverReadsIsDisconnected() throws {
        let server = try ServerHarness.start(self) { $0.maxOutputBuffer = 1 << 20 }
        let greedy = try TestClient(port: server.port)
        var size: Int32 = 4096
        setsockopt(greedy.socket.descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        let payload = String(repeating: "x", count: 64 * 1024)
        var batch: [UInt8] = []
        for _ in 0..<256 { RESPEncoder.encodeCommand([Array("ECHO".utf8), Array(payload.utf8)], into: &batch) }
        let bytes = batch
        let sender = Thread { greedy.socket.send(bytes) }
        sender.start()
        XCTAssertTrue(ServerHarness.waitUntil { server.connectionCount == 0 }, "the non-reading client is still connected")
        let polite = try TestClient(port: server.port)
        XCTAssertEqual(try polite.call("PING"), .simpleString("PONG"))
    }

    func testMaxClientsRejection() throws {
        let server = try ServerHarness.start(self) { $0.maxClients = 1 }
        let first = try TestClient(port: server.port)
        XCTAssertEqual(try first.call("PING"), .simpleString("PONG"))
        let second = try TestClient(port: server.port)
        XCTAssertEqual(try second.read(), .error("ERR max number of clients reached"))
    }

    func testIdleTimeout() throws {
        let server = try ServerHarness.start(self) { $0.idleTimeout = 1 }
        let idle = try TestClient(port: server.port)
        XCTAssertEqual(try idle.call("PING"), .simpleString("PONG"))
        XCTAssertEqual(try idle.socket.receiveUntilClosed(), [])
    }
}

/// A value shared between threads in a test.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value

    init(_ value: Value) { stored = value }

    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
