import Foundation
import LarderLog
import LarderRESP
import LarderServer
import LarderTestSupport
import XCTest

/// A RESP client over a blocking test socket.
final class TestClient: @unchecked Sendable {
    let socket: TestSocket
    private var parser = RESPReplyParser()

    init(port: Int, timeout: Double = 10) throws {
        socket = try TestSocket(port: port, timeout: timeout)
    }

    /// Sends one command without reading the reply.
    func send(_ arguments: [String]) {
        sendRaw(arguments.map { Array($0.utf8) })
    }

    func sendRaw(_ arguments: [[UInt8]]) {
        var bytes: [UInt8] = []
        RESPEncoder.encodeCommand(arguments, into: &bytes)
        socket.send(bytes)
    }

    /// Reads the next reply; throws when the connection closes first.
    func read() throws -> RESPValue {
        while true {
            if let value = try parser.next() { return value }
            let chunk = try socket.receive()
            guard !chunk.isEmpty else { throw TestSocket.Failure(description: "connection closed before a reply") }
            parser.append(chunk)
        }
    }

    /// Sends a command and reads its reply.
    @discardableResult
    func call(_ arguments: String...) throws -> RESPValue {
        send(arguments)
        return try read()
    }

    func call(_ arguments: [String]) throws -> RESPValue {
        send(arguments)
        return try read()
    }
}

/// Starts an in-process server on a free loopback port for one test.
enum ServerHarness {
    static func start(_ test: XCTestCase, keyspace: VectorKeyspace = MemoryKeyspace(),
                      configure: (inout ServerConfiguration) -> Void = { _ in }) throws -> LarderServer {
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.ioThreads = 2
        configuration.workerThreads = 2
        configure(&configuration)
        let server = LarderServer(configuration: configuration, keyspace: keyspace)
        try server.start()
        test.addTeardownBlock { try? server.stop() }
        return server
    }

    static func waitUntil(timeout: Double = 5, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() {
            if Date() > deadline { return false }
            usleep(2_000)
        }
        return true
    }
}

/// Little-endian FP32 bytes of a vector, as the FP32 input of VADD and VSIM expects.
func fp32Blob(_ vector: [Float]) -> [UInt8] {
    vector.flatMap { value -> [UInt8] in
        let bits = value.bitPattern
        return [UInt8(bits & 0xff), UInt8(bits >> 8 & 0xff), UInt8(bits >> 16 & 0xff), UInt8(bits >> 24)]
    }
}

extension RESPValue {
    /// Element names of an array of bulk strings.
    var strings: [String]? {
        guard case .array(let elements) = self else { return nil }
        return elements.compactMap(\.string)
    }

    var integerValue: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    var errorMessage: String? {
        if case .error(let message) = self { return message }
        return nil
    }
}
