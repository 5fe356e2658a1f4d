import Foundation
import LarderArguments
import LarderClient
import LarderRESP

/// The `--host`, `--port` and `--password` options shared by the client subcommands.
struct ConnectionOptions: Sendable {
    /// Server host name or address.
    let host: String
    /// Server TCP port.
    let port: Int
    /// Password for AUTH, when the server requires one.
    let password: String?

    /// Port `larder serve` listens on unless told otherwise.
    static let defaultPort = 7379

    static func declare(in spec: inout CommandSpec) {
        spec.option("host", metavar: "HOST", help: "Server host.", default: "127.0.0.1")
        spec.option("port", metavar: "PORT", help: "Server TCP port.", default: String(defaultPort))
        spec.option("password", metavar: "SECRET",
                    help: "Password sent with AUTH (or set LARDER_PASSWORD).")
    }

    init(_ parsed: ParsedArguments) throws {
        host = parsed.string("host")!
        port = try parsed.integer("port", in: 1...65535)!
        password = parsed.string("password") ?? ProcessInfo.processInfo.environment["LARDER_PASSWORD"]
    }

    /// Opens a connection and authenticates when a password is set.
    /// - Throws: `PasswordRequiredError` when the server wants a password and none was given.
    func connect() throws -> RESPConnection {
        let connection = try RESPConnection(host: host, port: port)
        if let password {
            let reply = try connection.command(["AUTH", password])
            if case .error(let message) = reply {
                throw ServerReplyError(message: message, command: "AUTH")
            }
        } else if case .error(let message) = try connection.command(["PING"]),
                  message.split(separator: " ").first == "NOAUTH" {
            throw PasswordRequiredError(host: host, port: port)
        }
        return connection
    }
}

/// The server replied NOAUTH: it has a password and none was given.
struct PasswordRequiredError: Error, CustomStringConvertible {
    let host: String
    let port: Int

    var description: String {
        "the server at \(host):\(port) requires a password; pass --password SECRET or set LARDER_PASSWORD"
    }
}

/// An error reply from the server to a command the tool had to succeed.
struct ServerReplyError: Error, CustomStringConvertible {
    let message: String
    let command: String

    var description: String { "server rejected \(command): \(message)" }
}

