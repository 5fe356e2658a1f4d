import Foundation
import LarderRESP
import LarderTestSupport
import XCTest

/// `larder serve` as a child process, with its port read from the log line.
final class ServeProcess {
    let process = Process()
    private let errors = Pipe()
    private(set) var port = 0
    private let log = Locked("")

    /// The built `larder` next to the test bundle (same build configuration).
    static func executable() throws -> URL {
        let bundleDirectory = Bundle(for: ServeProcess.self).bundleURL.deletingLastPathComponent()
        let candidates = [bundleDirectory.appendingPathComponent("larder"),
                          URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
                              .appendingPathComponent("larder")]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw XCTSkip("the larder executable is not built next to the tests; run swift build --build-tests")
        }
        return found
    }

    init(arguments: [String]) throws {
        process.executableURL = try ServeProcess.executable()
        process.arguments = ["serve", "--port", "0"] + arguments
        var environment = ProcessInfo.processInfo.environment
        // The port is read from the info-level "listening" line.
        environment["LARDER_LOG_LEVEL"] = "info"
        process.environment = environment
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        let log = self.log
        errors.fileHandleForReading.readabilityHandler = { handle in
            let text = String(decoding: handle.availableData, as: UTF8.self)
            log.value += text
        }
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while port == 0, Date() < deadline, process.isRunning {
            if let range = log.value.range(of: #"listening address=127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                port = Int(log.value[range].split(separator: ":").last!)!
            }
            usleep(10_000)
        }
        guard port > 0 else { throw TestSocket.Failure(description: "larder serve did not start:\n\(log.value)") }
    }

    var output: String { log.value }

    /// Waits for the process to exit and returns its status.
    func waitForExit(timeout: Double = 30) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(10_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

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
