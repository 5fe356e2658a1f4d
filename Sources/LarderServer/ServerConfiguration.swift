import LarderNet
import LarderRESP

/// Settings of a `LarderServer`; `larder serve` fills them from its options.
public struct ServerConfiguration: Sendable {
    /// Address to bind. Non-loopback addresses need `requirePass` or `allowUnprotected`.
    public var host: String = "127.0.0.1"
    /// TCP port; 0 picks a free one. The default avoids Redis's 6379.
    public var port: Int = 7379
    /// Event-loop threads (socket I/O).
    public var ioThreads: Int = NetConfiguration.defaultThreadCount
    /// Threads that run commands which touch the index (VADD, VSIM, ...):
    /// twice the cores, at least 4, because a VADD under `appendfsync always`
    /// waits for an fsync and more writers in flight share each fsync.
    public var workerThreads: Int = max(4, 2 * NetConfiguration.defaultThreadCount)
    /// Threads that run VADD and VSIM requests with IMAGE, RECIPE or other
    /// encoded input, when a model is loaded. They mostly wait for the encoder
    /// worker, so there are many: their count bounds how many requests the
    /// encoder can batch together, and photo queries never occupy the
    /// `workerThreads` that serve plain searches.
    public var encodingThreads: Int = 64
    /// Requests with encoded input that may wait for a free encoding thread.
    /// More get a `BUSY` reply at once, so a flood of photos cannot grow a
    /// queue without limit.
    public var encodingBacklog: Int = 256
    /// Password clients must send with AUTH or HELLO, or nil for none.
    public var requirePass: String?
    /// Lets the server bind a non-loopback address without a password.
    public var allowUnprotected = false
    /// Most clients connected at once.
    public var maxClients = 10_000
    /// Most reply bytes queued for a client before it is disconnected.
    public var maxOutputBuffer = 64 * 1024 * 1024
    /// Seconds an idle client may stay connected; 0 keeps idle clients forever.
    public var idleTimeout: Double = 0
    /// Request parsing limits (inline length, bulk length, arguments, query buffer).
    public var limits = RESPLimits()
    /// Commands slower than this many microseconds are logged and kept in SLOWLOG.
    public var slowLogThresholdMicros = 10_000
    /// Entries kept by SLOWLOG GET.
    public var slowLogCapacity = 128
    /// Client errors (protocol errors, rejected commands) logged per second at most.
    public var clientErrorLogRate = 10
    /// Seconds that shutdown waits for running commands before closing clients anyway.
    public var shutdownGrace: Double = 30
    /// Text shown as `appendfsync` in INFO and CONFIG GET.
    public var appendFsync = "everysec"
    /// Data directory shown in INFO, or nil for an in-memory server.
    public var dataDirectory: String?

    public init() {}

    /// Whether `host` is a loopback address (127.0.0.0/8 or ::1).
    public var bindsLoopback: Bool {
        host == "::1" || host.hasPrefix("127.") || host == "localhost"
    }
}

/// A configuration the server refuses to start with.
public enum ServerConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Binding a non-loopback address without a password.
    case unprotectedBind(host: String)

    public var description: String {
        switch self {
        case .unprotectedBind(let host):
            return "refusing to bind non-loopback address \(host) without a password: set --requirepass SECRET, "
                + "or pass --unprotected if the network is trusted"
        }
    }
}
