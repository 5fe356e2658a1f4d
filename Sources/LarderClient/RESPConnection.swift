#if canImport(Glibc)
import Glibc
#endif
import LarderRESP

// MARK: - Errors

/// A failure of a client connection to a RESP server.
public enum ClientError: Error, Equatable, CustomStringConvertible {
    /// The host name did not resolve.
    case unresolvedHost(String, reason: String)
    /// No connection could be made to `host:port`.
    case connectFailed(host: String, port: Int, reason: String)
    /// Sending or receiving failed, or timed out.
    case ioFailed(operation: String, reason: String)
    /// The server closed the connection before the reply was complete.
    case closedByServer
    /// The reply could not be parsed.
    case invalidReply(String)

    public var description: String {
        switch self {
        case .unresolvedHost(let host, let reason):
            return "cannot resolve host '\(host)': \(reason)"
        case .connectFailed(let host, let port, let reason):
            return "cannot connect to \(host):\(port): \(reason); is 'larder serve' running there?"
        case .ioFailed(let operation, let reason):
            return "\(operation) failed: \(reason)"
        case .closedByServer:
            return "the server closed the connection"
        case .invalidReply(let reason):
            return "invalid reply from the server: \(reason)"
        }
    }
}

// MARK: - Connection

/// A blocking RESP client connection, for the command-line tools and tests.
///
/// Requests go out as RESP arrays of bulk strings. `pipeline` writes many
/// requests before reading their replies, which is how bulk import reaches
/// a useful rate over one connection.
///
/// Thread safety: one connection is used by one thread at a time.
public final class RESPConnection {
    /// The host this connection was opened to.
    public let host: String
    /// The TCP port this connection was opened to.
    public let port: Int
    private var descriptor: Int32
    private var parser = RESPReplyParser()
    private var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)

    /// Connects to `host:port`; `timeout` (seconds) bounds the connect and every read and write.
    public init(host: String, port: Int, timeout: Double = 30) throws {
        self.host = host
        self.port = port
        descriptor = try Self.connect(host: host, port: port, timeout: timeout)
    }

    deinit {
        close(descriptor)
    }

    // MARK: Requests

    /// Sends one command and returns its reply. An error reply is returned as `.error`, not thrown.
    public func command(_ arguments: [String]) throws -> RESPValue {
        try pipeline([arguments.map { Array($0.utf8) }])[0]
    }

    /// Sends one command given as raw byte arguments and returns its reply.
    public func command(bytes arguments: [[UInt8]]) throws -> RESPValue {
        try pipeline([arguments])[0]
    }

    /// Sends every command, then reads one reply per command, in order.
    public func pipeline(_ commands: [[[UInt8]]]) throws -> [RESPValue] {
        var output: [UInt8] = []
        for arguments in commands {
            RESPEncoder.encodeCommand(arguments, into: &output)
        }
        try writeAll(output)
        var replies: [RESPValue] = []
        replies.reserveCapacity(commands.count)
        while replies.count < commands.count {
            replies.append(try readReply())
        }
        return replies
    }

    /// Reads the next reply.
    public func readReply() throws -> RESPValue {
        while true {
            do {
                if let value = try parser.next() { return value }
            } catch {
                throw ClientError.invalidReply("\(error)")
            }
            let count = readBuffer.withUnsafeMutableBytes { buffer in
                recv(descriptor, buffer.baseAddress, buffer.count, 0)
            }
            if count == 0 { throw ClientError.closedByServer }
            if count < 0 {
                if errno == EINTR { continue }
                throw ClientError.ioFailed(operation: "read from \(host):\(port)", reason: Self.errnoText())
            }
            parser.append(readBuffer[0..<count])
        }
    }

    // MARK: Socket calls

    private func writeAll(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                send(descriptor, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw ClientError.ioFailed(operation: "write to \(host):\(port)", reason: Self.errnoText())
            }
            offset += written
        }
    }

    private static func connect(host: String, port: Int, timeout: Double) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var results: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &results)
        guard status == 0, let first = results else {
            throw ClientError.unresolvedHost(host, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(results) }

        var lastError = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let address = entry {
            entry = address.pointee.ai_next
            let descriptor = socket(address.pointee.ai_family, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
            guard descriptor >= 0 else { lastError = errnoText(); continue }
            setTimeouts(descriptor, seconds: timeout)
            if Glibc.connect(descriptor, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 {
                var enable: Int32 = 1
                setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &enable, socklen_t(MemoryLayout<Int32>.size))
                return descriptor
            }
            lastError = errnoText()
            close(descriptor)
        }
        throw ClientError.connectFailed(host: host, port: port, reason: lastError)
    }

    private static func setTimeouts(_ descriptor: Int32, seconds: Double) {
        var value = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - seconds.rounded(.down)) * 1e6))
        let size = socklen_t(MemoryLayout<timeval>.size)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &value, size)
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &value, size)
    }

    private static func errnoText() -> String {
        String(cString: strerror(errno))
    }
}
