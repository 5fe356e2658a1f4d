import Foundation
import LarderRESP

#if canImport(Glibc)
import Glibc
#endif

/// A benchmark client connection that sends a pipeline of requests in one
/// write and timestamps each reply as it is parsed, so the latency of a
/// request runs from the write of its batch to the arrival of its own reply
/// (as redis-benchmark measures it).
final class BenchConnection {
    private let descriptor: Int32
    private var parser = RESPReplyParser()
    private var readBuffer = [UInt8](repeating: 0, count: 256 * 1024)

    /// Connects to an IPv4 literal host and port, and sends AUTH when `password` is given.
    init(host: String, port: Int, password: String? = nil) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            close(descriptor)
            throw BenchError.connection("invalid IPv4 address '\(host)'; pass an address such as 127.0.0.1")
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw BenchError.connection("cannot connect to \(host):\(port): \(reason)")
        }
        var enable: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &enable, socklen_t(MemoryLayout<Int32>.size))
        if let password, case .error(let message) = try call([Array("AUTH".utf8), Array(password.utf8)]) {
            throw BenchError.connection("AUTH failed on \(host):\(port): \(message); check --password or LARDER_PASSWORD")
        }
    }

    deinit { close(descriptor) }

    /// Sends `count` requests (already encoded) and returns each reply with its
    /// latency in seconds, counted from `scheduledAt` (a `DispatchTime` uptime in
    /// nanoseconds, for open-loop runs) or else from the write.
    func roundTrip(_ encoded: [UInt8], count: Int, scheduledAt: UInt64? = nil) throws -> [(reply: RESPValue, seconds: Double)] {
        let start = scheduledAt ?? DispatchTime.now().uptimeNanoseconds
        var offset = 0
        while offset < encoded.count {
            let sent = encoded.withUnsafeBytes {
                send(descriptor, $0.baseAddress! + offset, encoded.count - offset, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { throw BenchError.connection("send failed: \(String(cString: strerror(errno)))") }
            offset += sent
        }
        var replies: [(RESPValue, Double)] = []
        replies.reserveCapacity(count)
        while replies.count < count {
            if let reply = try parser.next() {
                let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                replies.append((reply, elapsed))
                continue
            }
            let received = readBuffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress!, $0.count, 0) }
            guard received > 0 else { throw BenchError.connection("server closed the connection") }
            parser.append(readBuffer[0..<received])
        }
        return replies
    }

    /// Sends one command and returns its reply.
    func call(_ arguments: [[UInt8]]) throws -> RESPValue {
        var encoded: [UInt8] = []
        RESPEncoder.encodeCommand(arguments, into: &encoded)
        return try roundTrip(encoded, count: 1)[0].reply
    }
}

/// A benchmark that cannot run.
enum BenchError: Error, CustomStringConvertible {
    case connection(String)
    case reply(String)

    var description: String {
        switch self {
        case .connection(let message): return message
        case .reply(let message): return "unexpected reply from the server: \(message)"
        }
    }
}
