import Foundation
import LarderRESP
import LarderServer
import LarderTestSupport
import XCTest

/// Runs a program and returns its exit status and standard output.
func runProgram(_ path: String, _ arguments: [String], input: Data? = nil) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    let stdin = Pipe()
    process.standardInput = stdin
    try process.run()
    if let input { stdin.fileHandleForWriting.write(input) }
    try stdin.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// The first executable called `name` on PATH.
func findOnPath(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
}

final class ExternalClientTests: XCTestCase {
    private func redisCLI() throws -> String {
        guard let path = findOnPath("redis-cli") else {
            throw XCTSkip("redis-cli not found on PATH; install the Debian package redis-tools")
        }
        return path
    }

    func testRedisCLIVectorCommands() throws {
        let cli = try redisCLI()
        let server = try ServerHarness.start(self)
        let port = "\(server.port)"
        XCTAssertEqual(try runProgram(cli, ["-p", port, "VADD", "k", "VALUES", "3", "1", "0", "0", "a"]).output, "1\n")
        XCTAssertEqual(try runProgram(cli, ["-p", port, "VADD", "k", "VALUES", "3", "0", "1", "0", "b",
                                            "SETATTR", #"{"n":1}"#]).output, "1\n")
        XCTAssertEqual(try runProgram(cli, ["-p", port, "VSIM", "k", "VALUES", "3", "1", "0.1", "0"]).output, "a\nb\n")
        let resp3 = try runProgram(cli, ["-3", "-p", port, "VSIM", "k", "ELE", "b", "WITHSCORES", "COUNT", "1"]).output
        // Without a terminal redis-cli prints raw replies: a RESP3 map entry as "key value".
        XCTAssertEqual(resp3, "b 1\n")
        XCTAssertEqual(try runProgram(cli, ["-p", port, "VDIM", "missing"]).output,
                       "ERR key 'missing' does not exist\n\n")

        // redis-cli --pipe sends a stream of commands without waiting and counts the replies.
        var commands = ""
        for index in 0..<500 { commands += "VADD p VALUES 2 1 \(index + 1) e\(index)\r\n" }
        let piped = try runProgram(cli, ["-p", port, "--pipe"], input: Data(commands.utf8))
        XCTAssertEqual(piped.status, 0, piped.output)
        XCTAssertTrue(piped.output.contains("errors: 0, replies: 500"), piped.output)
        XCTAssertEqual(try runProgram(cli, ["-p", port, "VCARD", "p"]).output, "500\n")
    }

    func testRedisPy() throws {
        let python = try pythonWithRedis()
        let server = try ServerHarness.start(self)
        let script = SharedData.packageRoot.appendingPathComponent("tools/redis_py_check.py").path
        let result = try runProgram(python, [script, "--port", "\(server.port)"])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.hasSuffix("ok\n"), result.output)
    }

    /// `LARDER_PYTHON`, then `benchmarks/.venv` (made by `benchmarks/setup-venv.sh`), then python3 on PATH,
    /// whichever first can `import redis`.
    private func pythonWithRedis() throws -> String {
        var candidates: [String] = []
        if let explicit = ProcessInfo.processInfo.environment["LARDER_PYTHON"] { candidates.append(explicit) }
        candidates.append(SharedData.packageRoot.appendingPathComponent("benchmarks/.venv/bin/python3").path)
        if let system = findOnPath("python3") { candidates.append(system) }
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) {
            if (try? runProgram(candidate, ["-c", "import redis"]))?.status == 0 { return candidate }
        }
        throw XCTSkip("no python3 with redis-py found; set LARDER_PYTHON or run benchmarks/setup-venv.sh")
    }
}
