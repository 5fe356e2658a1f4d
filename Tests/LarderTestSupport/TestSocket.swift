import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A blocking TCP client socket for network tests, connected to a loopback port.
public final class TestSocket: @unchecked Sendable {
    /// The socket descriptor.
    public let descriptor: Int32

    /// A socket connect failure or a read that timed out.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String

        public init(description: String) { self.description = description }
    }

    /// Connects to `127.0.0.1:port`; `timeout` bounds every later read, in seconds.
    public init(port: Int, host: String = "127.0.0.1", timeout: Double = 10) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let message = String(cString: strerror(errno))
            close(descriptor)
            throw Failure(description: "connect to \(host):\(port): \(message)")
        }
        var interval = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1e6))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        var enable: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &enable, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { close(descriptor) }

    /// Sends every byte; returns false when the peer has closed the connection.
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    /// Sends the UTF-8 bytes of `text`.
    @discardableResult
    public func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Reads what is available (blocking up to the timeout); an empty result means the peer closed.
    ///
    /// - Throws: `Failure` when nothing arrives within the timeout.
    public func receive(maxBytes: Int = 65536) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: maxBytes)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress!, maxBytes, 0) }
        if count < 0 {
            if errno == ECONNRESET { return [] }
            throw Failure(description: "recv timed out or failed: \(String(cString: strerror(errno)))")
        }
        return Array(buffer[0..<count])
    }

    /// Reads until `count` bytes have arrived or the peer closes.
    public func receive(exactly count: Int) throws -> [UInt8] {
        var result: [UInt8] = []
        while result.count < count {
            let chunk = try receive(maxBytes: count - result.count)
            if chunk.isEmpty { break }
            result += chunk
        }
        return result
    }

    /// Reads until the peer closes the connection; returns everything read.
    public func receiveUntilClosed() throws -> [UInt8] {
        var result: [UInt8] = []
        while true {
            let chunk = try receive()
            if chunk.isEmpty { return result }
            result += chunk
        }
    }
}
