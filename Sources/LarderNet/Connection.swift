import LarderLog

#if canImport(Glibc)
import Glibc
#endif

/// Why a connection was closed.
public enum CloseReason: Sendable, Equatable, CustomStringConvertible {
    /// The client closed its side or the socket reported an error.
    case clientClosed
    /// The server's handler asked to close, for example after QUIT or a protocol error.
    case requested
    /// The client let more reply bytes queue up than `maxOutputBuffer`.
    case outputLimit
    /// No traffic for longer than the idle timeout.
    case idleTimeout
    /// The server is shutting down.
    case serverStopped

    public var description: String {
        switch self {
        case .clientClosed: return "client closed"
        case .requested: return "closed by server"
        case .outputLimit: return "output buffer limit reached"
        case .idleTimeout: return "idle timeout"
        case .serverStopped: return "server stopped"
        }
    }
}

/// What a server does with a connection's bytes. One handler per connection,
/// called only on the connection's loop thread.
public protocol ConnectionHandler: AnyObject {
    /// Called once the connection is registered with its loop.
    func connectionDidOpen(_ connection: Connection)
    /// Called with bytes just read; the buffer is valid only during the call.
    func connection(_ connection: Connection, didRead bytes: UnsafeRawBufferPointer)
    /// Called once, after the socket is closed.
    func connectionDidClose(_ connection: Connection, reason: CloseReason)
}

/// One accepted TCP connection with a bounded output buffer.
///
/// Every method must be called on `loop`'s thread; code on other threads
/// uses `loop.execute { ... }` first. Writes are queued with `write` and sent
/// with `flush`; what the kernel does not take waits for EPOLLOUT.
public final class Connection: @unchecked Sendable {
    /// Server-wide unique id, for logs.
    public let id: UInt64
    /// The client's `address:port`.
    public let peer: String
    /// The loop that owns this connection.
    public let loop: EventLoop

    let descriptor: Int32
    private let maxOutputBuffer: Int
    var handler: ConnectionHandler?
    private var output: [UInt8] = []
    private var outputStart = 0
    private var closeAfterFlush = false
    private(set) var isOpen = true
    private(set) var isReading = true
    /// Whether the loop currently waits for EPOLLOUT on this socket.
    var isWatchingOutput = false
    private(set) var lastActivity = EventLoop.now()

    /// Set by the handler while a command runs elsewhere, so the idle timeout spares the connection.
    public var isBusy = false

    init(id: UInt64, descriptor: Int32, peer: String, loop: EventLoop, maxOutputBuffer: Int) {
        self.id = id
        self.descriptor = descriptor
        self.peer = peer
        self.loop = loop
        self.maxOutputBuffer = maxOutputBuffer
    }

    /// Reply bytes queued but not yet accepted by the kernel.
    public var pendingOutputBytes: Int { output.count - outputStart }

    var hasPendingOutput: Bool { pendingOutputBytes > 0 }

    /// Whether `close` or `abort` has run.
    public var isClosed: Bool { !isOpen }

    // MARK: - Output

    /// Queues bytes to send. Over the output limit the connection is closed at
    /// once, because a client that does not read would otherwise grow the buffer without bound.
    public func write(_ bytes: [UInt8]) {
        guard isOpen, !closeAfterFlush else { return }
        if outputStart == output.count {
            output.removeAll(keepingCapacity: output.capacity <= 1 << 20)
            outputStart = 0
        }
        output.append(contentsOf: bytes)
        if pendingOutputBytes > maxOutputBuffer {
            abort(reason: .outputLimit)
        }
    }

    /// Queues bytes that `body` appends straight to the output buffer, which
    /// saves the temporary array of `write(_:)`. The same output limit applies.
    public func write(_ body: (inout [UInt8]) -> Void) {
        guard isOpen, !closeAfterFlush else { return }
        if outputStart == output.count {
            output.removeAll(keepingCapacity: output.capacity <= 1 << 20)
            outputStart = 0
        }
        body(&output)
        if pendingOutputBytes > maxOutputBuffer {
            abort(reason: .outputLimit)
        }
    }

    /// Sends queued bytes now, as far as the socket takes them.
    public func flush() {
        guard isOpen else { return }
        while outputStart < output.count {
            let sent = output.withUnsafeBytes { raw in
                send(descriptor, raw.baseAddress! + outputStart, output.count - outputStart, Int32(MSG_NOSIGNAL))
            }
            if sent > 0 {
                outputStart += sent
                lastActivity = EventLoop.now()
                continue
            }
            if sent < 0, errno == EINTR { continue }
            if sent < 0, errno == EAGAIN || errno == EWOULDBLOCK { break }
            abort(reason: .clientClosed)
            return
        }
        if outputStart == output.count {
            output.removeAll(keepingCapacity: output.capacity <= 1 << 20)
            outputStart = 0
            if closeAfterFlush {
                abort(reason: .requested)
                return
            }
        } else if outputStart > 1 << 20 {
            output.removeSubrange(0..<outputStart)
            outputStart = 0
        }
        if hasPendingOutput != isWatchingOutput { loop.updateInterest(self) }
    }

    // MARK: - Input

    /// Stops or resumes reading, for example while a command runs on a worker.
    public func setReading(_ enabled: Bool) {
        guard isOpen, enabled != isReading else { return }
        isReading = enabled
        loop.updateInterest(self)
    }

    func readAvailable(into buffer: UnsafeMutableRawBufferPointer) {
        let count = recv(descriptor, buffer.baseAddress!, buffer.count, 0)
        if count > 0 {
            lastActivity = EventLoop.now()
            handler?.connection(self, didRead: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            return
        }
        if count < 0, errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return }
        abort(reason: .clientClosed)
    }

    // MARK: - Closing

    /// Closes after the queued output is sent; reads stop at once.
    public func close() {
        guard isOpen else { return }
        closeAfterFlush = true
        isReading = false
        loop.updateInterest(self)
        flush()
    }

    /// Closes now, dropping queued output.
    public func abort(reason: CloseReason) {
        guard isOpen else { return }
        isOpen = false
        loop.forget(self)
        Glibc.close(descriptor)
        let handler = self.handler
        self.handler = nil
        output = []
        handler?.connectionDidClose(self, reason: reason)
    }

    func handlerDidOpen() {
        handler?.connectionDidOpen(self)
    }

    /// Closes the socket of a connection that never reached a loop.
    func releaseDescriptor() {
        isOpen = false
        Glibc.close(descriptor)
    }
}
