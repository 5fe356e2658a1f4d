import Foundation
import XCTest

/// The built `larder` executable run as a child process, the way a user runs it.
public enum LarderExecutable {
    /// The `larder` binary next to the test bundle (same build configuration).
    /// - Throws: `XCTSkip` when it has not been built.
    public static func url() throws -> URL {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("larder"),
            Bundle.main.bundleURL.appendingPathComponent("larder"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("larder"),
        ]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw XCTSkip("the larder executable is not built next to the tests; run swift build --build-tests")
        }
        return found
    }

    /// Runs `larder ARGUMENTS` to completion and returns its exit status, standard output and standard error.
    public static func run(_ arguments: [String], environment: [String: String] = [:]) throws
        -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = try url()
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let collected = CollectedOutput()
        output.fileHandleForReading.readabilityHandler = { collected.appendOutput($0.availableData) }
        errors.fileHandleForReading.readabilityHandler = { collected.appendErrors($0.availableData) }
        try process.run()
        process.waitUntilExit()
        output.fileHandleForReading.readabilityHandler = nil
        errors.fileHandleForReading.readabilityHandler = nil
        collected.appendOutput(output.fileHandleForReading.readDataToEndOfFile())
        collected.appendErrors(errors.fileHandleForReading.readDataToEndOfFile())
        return (process.terminationStatus, collected.output, collected.errors)
    }
}

/// Standard output and error of a child, filled from pipe handlers on other threads.
private final class CollectedOutput: @unchecked Sendable {
    private let lock = NSLock()
    private var outputData = Data()
    private var errorData = Data()

    func appendOutput(_ data: Data) { lock.lock(); outputData.append(data); lock.unlock() }
    func appendErrors(_ data: Data) { lock.lock(); errorData.append(data); lock.unlock() }
    var output: String { lock.lock(); defer { lock.unlock() }; return String(decoding: outputData, as: UTF8.self) }
    var errors: String { lock.lock(); defer { lock.unlock() }; return String(decoding: errorData, as: UTF8.self) }
}

/// `larder serve --port 0 ...` as a child process; the port is read from its
/// "listening" log line. The process is killed when this object is released.
public final class LarderServerProcess {
    /// The child process.
    public let process = Process()
    /// The port the server listens on.
    public private(set) var port = 0
    private let errors = Pipe()
    private let log = CollectedOutput()

    /// Starts the server and waits up to `timeout` seconds for it to listen.
    public init(arguments: [String], timeout: Double = 120) throws {
        process.executableURL = try LarderExecutable.url()
        process.arguments = ["serve", "--port", "0"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["LARDER_LOG_LEVEL"] = "info"
        process.environment = environment
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        let log = self.log
        errors.fileHandleForReading.readabilityHandler = { log.appendErrors($0.availableData) }
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while port == 0, Date() < deadline, process.isRunning {
            let text = log.errors
            if let range = text.range(of: #"listening address=127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                port = Int(text[range].split(separator: ":").last!)!
            }
            usleep(20_000)
        }
        guard port > 0 else {
            throw TestSocket.Failure(description: "larder serve did not start:\n\(log.errors)")
        }
    }

    /// Everything the server logged so far.
    public var output: String { log.errors }

    /// Sends SIGTERM and waits for the exit status (nil after `timeout` seconds).
    public func stop(timeout: Double = 30) -> Int32? {
        kill(process.processIdentifier, SIGTERM)
        return waitForExit(timeout: timeout)
    }

    /// Waits for the process to exit and returns its status (nil after `timeout` seconds).
    public func waitForExit(timeout: Double = 30) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(10_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
