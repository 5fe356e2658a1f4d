import Foundation
import LarderLog

#if canImport(Glibc)
import Glibc
#endif

/// A TCP server over a few event loops: loop 0 accepts, and each new
/// connection goes to the next loop in turn, where it stays until closed.
///
/// Handlers come from `makeHandler`, one per connection. The server applies
/// the limits of `NetConfiguration`: maximum clients, output buffer per
/// client and idle timeout.
public final class TCPServer: @unchecked Sendable {
    /// The settings the server was created with.
    public let configuration: NetConfiguration

    private let makeHandler: @Sendable (Connection) -> ConnectionHandler
    private let logger: Logger
    private var loops: [EventLoop] = []
    private var listener: Int32 = -1
    private var boundPort = 0
    private let lock = NSLock()
    private var openCount = 0
    private var acceptedCount = 0
    private var rejectedCount = 0
    private var nextID: UInt64 = 0
    private var nextLoop = 0
    private var started = false

    public init(configuration: NetConfiguration, logger: Logger = Logger(label: "net"),
                makeHandler: @escaping @Sendable (Connection) -> ConnectionHandler) {
        self.configuration = configuration
        self.logger = logger
        self.makeHandler = makeHandler
    }

    // MARK: - Counters

    /// The port the server listens on, known after `start`.
    public var port: Int { lock.withLock { boundPort } }
    /// Connections open now.
    public var connectionCount: Int { lock.withLock { openCount } }
    /// Connections accepted since start.
    public var acceptedConnections: Int { lock.withLock { acceptedCount } }
    /// Connections rejected because `maxClients` was reached.
    public var rejectedConnections: Int { lock.withLock { rejectedCount } }

    // MARK: - Lifecycle

    /// Binds the address, starts the I/O threads and begins accepting.
    ///
    /// - Throws: `NetError` or `InvalidAddressError` when the address cannot be bound.
    public func start() throws {
        signal(SIGPIPE, SIG_IGN)
        let descriptor = try Socket.listen(host: configuration.host, port: configuration.port,
                                           backlog: configuration.backlog)
        listener = descriptor
        lock.withLock { boundPort = Socket.localPort(descriptor) }

        for index in 0..<max(1, configuration.ioThreads) {
            let loop = try EventLoop(index: index, logger: logger)
            loop.idleTimeout = configuration.idleTimeout
            loop.onConnectionClosed = { [weak self] _ in
                guard let self else { return }
                self.lock.withLock { self.openCount -= 1 }
            }
            loops.append(loop)
        }
        try loops[0].addListener(descriptor) { [weak self] _ in self?.acceptPending() }
        for loop in loops { loop.start() }
        started = true
    }

    /// Stops accepting new connections; open ones carry on. Returns once the
    /// listening socket is closed.
    public func stopAccepting() {
        guard started else { return }
        let done = DispatchSemaphore(value: 0)
        let descriptor = listener
        loops[0].execute { [self] in
            self.loops[0].removeListener(descriptor)
            if descriptor >= 0 { close(descriptor) }
            done.signal()
        }
        done.wait()
        listener = -1
    }

    /// Closes every connection after its queued output is sent (waiting at
    /// most `grace` seconds), then stops the I/O threads.
    public func stop(grace: Double = 2) {
        guard started else { return }
        if listener >= 0 { stopAccepting() }
        for loop in loops {
            loop.execute { for connection in loop.openConnections { connection.close() } }
        }
        let deadline = Date().addingTimeInterval(grace)
        while connectionCount > 0, Date() < deadline { usleep(5_000) }
        for loop in loops { loop.stopAndWait() }
        loops = []
        started = false
    }

    // MARK: - Accepting (loop 0)

    private func acceptPending() {
        // Bounded so a connection storm cannot starve loop 0's own clients.
        for _ in 0..<256 {
            let accepted: (descriptor: Int32, peer: String)?
            do {
                accepted = try Socket.accept(listener)
            } catch {
                logger.error("accept failed", ["error": "\(error)"])
                if (error as? NetError)?.code == EMFILE || (error as? NetError)?.code == ENFILE { usleep(10_000) }
                return
            }
            guard let (descriptor, peer) = accepted else { return }
            admit(descriptor: descriptor, peer: peer)
        }
    }

    private func admit(descriptor: Int32, peer: String) {
        let (admitted, id, loop): (Bool, UInt64, EventLoop) = lock.withLock {
            guard openCount < configuration.maxClients else {
                rejectedCount += 1
                return (false, 0, loops[0])
            }
            openCount += 1
            acceptedCount += 1
            nextID += 1
            nextLoop = (nextLoop + 1) % loops.count
            return (true, nextID, loops[nextLoop])
        }
        guard admitted else {
            let message = configuration.rejectionMessage
            if !message.isEmpty {
                _ = message.withUnsafeBytes { send(descriptor, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
            }
            close(descriptor)
            logger.warning("rejected client: max clients reached",
                           ["client": peer, "max_clients": "\(configuration.maxClients)"])
            return
        }

        let connection = Connection(id: id, descriptor: descriptor, peer: peer, loop: loop,
                                    maxOutputBuffer: configuration.maxOutputBuffer)
        let makeHandler = self.makeHandler
        loop.execute {
            connection.handler = makeHandler(connection)
            loop.adopt(connection)
        }
    }
}
