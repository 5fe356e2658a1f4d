/// Settings of a `TCPServer`: where it listens, how many threads serve
/// connections, and the limits that protect it from clients.
public struct NetConfiguration: Sendable {
    /// Address to bind: an IPv4 or IPv6 literal such as `127.0.0.1` or `::1`.
    public var host: String
    /// TCP port; 0 picks a free port (read it back from `TCPServer.port`).
    public var port: Int
    /// Number of event-loop threads that read and write sockets.
    public var ioThreads: Int
    /// Most connections open at once; further clients get `rejectionMessage` and are closed.
    public var maxClients: Int
    /// Most reply bytes queued for one client that does not read them; over it the client is disconnected.
    public var maxOutputBuffer: Int
    /// Seconds without traffic after which an idle connection is closed; 0 disables the timeout.
    public var idleTimeout: Double
    /// Bytes sent to a client rejected because `maxClients` is reached, before closing it.
    public var rejectionMessage: [UInt8]
    /// Length of the kernel's queue of connections not yet accepted.
    public var backlog: Int32

    public init(host: String = "127.0.0.1", port: Int = 7379, ioThreads: Int = NetConfiguration.defaultThreadCount,
                maxClients: Int = 10_000, maxOutputBuffer: Int = 64 * 1024 * 1024, idleTimeout: Double = 0,
                rejectionMessage: [UInt8] = [], backlog: Int32 = 1024) {
        self.host = host
        self.port = port
        self.ioThreads = ioThreads
        self.maxClients = maxClients
        self.maxOutputBuffer = maxOutputBuffer
        self.idleTimeout = idleTimeout
        self.rejectionMessage = rejectionMessage
        self.backlog = backlog
    }

    /// One I/O thread per core.
    public static var defaultThreadCount: Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }
}

#if canImport(Glibc)
import Glibc
#endif
