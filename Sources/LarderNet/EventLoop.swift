import CEpoll
import Foundation
import LarderLog

#if canImport(Glibc)
import Glibc
#endif

/// One I/O thread: an epoll(7) instance over non-blocking sockets, level
/// triggered. Every `Connection` belongs to exactly one loop and is touched
/// only on that loop's thread; other threads hand work to the loop with
/// `execute`, which wakes it through an eventfd(2).
public final class EventLoop: @unchecked Sendable {
    /// Position of this loop among the server's loops, for logs.
    public let index: Int

    private let epoll: Int32
    private let wakeup: Int32
    private let logger: Logger
    private let lock = NSLock()
    private var pending: [@Sendable () -> Void] = []
    private var running = true
    private let finished = DispatchSemaphore(value: 0)

    // Loop-thread state.
    private var connections: [Int32: Connection] = [:]
    private var listeners: [Int32: (EventLoop) -> Void] = [:]
    private var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)
    private var lastIdleCheck = EventLoop.now()
    var idleTimeout: Double = 0
    var onConnectionClosed: (@Sendable (Connection) -> Void)?

    init(index: Int, logger: Logger) throws {
        self.index = index
        self.logger = logger
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epoll >= 0 else { throw NetError("epoll_create1") }
        wakeup = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard wakeup >= 0 else {
            close(epoll)
            throw NetError("eventfd")
        }
        try register(wakeup, events: EPOLLIN.rawValue)
    }

    deinit {
        close(wakeup)
        close(epoll)
    }

    // MARK: - Cross-thread entry points

    /// Runs `work` on this loop's thread soon. Safe to call from any thread.
    public func execute(_ work: @escaping @Sendable () -> Void) {
        lock.lock()
        // A non-empty queue means an earlier call already wrote to the eventfd and
        // `runPending` has not drained the queue yet, so that drain runs this job too.
        let needsWakeup = pending.isEmpty
        pending.append(work)
        lock.unlock()
        guard needsWakeup else { return }
        var one: UInt64 = 1
        _ = write(wakeup, &one, 8)
    }

    /// Starts the loop's thread.
    func start() {
        let thread = Thread { [self] in
            self.run()
            self.finished.signal()
        }
        thread.name = "larder-io-\(index)"
        thread.start()
    }

    /// Asks the loop to stop after its current iteration and waits until it has.
    func stopAndWait() {
        execute { [self] in self.running = false }
        finished.wait()
    }

    // MARK: - Registration (loop thread)

    func addListener(_ descriptor: Int32, onReadable: @escaping (EventLoop) -> Void) throws {
        listeners[descriptor] = onReadable
        try register(descriptor, events: EPOLLIN.rawValue)
    }

    func removeListener(_ descriptor: Int32) {
        guard listeners.removeValue(forKey: descriptor) != nil else { return }
        epoll_ctl(epoll, EPOLL_CTL_DEL, descriptor, nil)
    }

    func adopt(_ connection: Connection) {
        do {
            try register(connection.descriptor, events: EPOLLIN.rawValue)
            connections[connection.descriptor] = connection
            connection.handlerDidOpen()
        } catch {
            logger.error("cannot watch accepted socket", ["error": "\(error)", "client": connection.peer])
            connection.releaseDescriptor()
            onConnectionClosed?(connection)
        }
    }

    /// Every connection of this loop; loop thread only.
    var openConnections: [Connection] { Array(connections.values) }

    func updateInterest(_ connection: Connection) {
        var events: UInt32 = 0
        if connection.isReading { events |= EPOLLIN.rawValue }
        if connection.hasPendingOutput { events |= EPOLLOUT.rawValue }
        connection.isWatchingOutput = connection.hasPendingOutput
        var event = epoll_event()
        event.events = events
        event.data.fd = connection.descriptor
        epoll_ctl(epoll, EPOLL_CTL_MOD, connection.descriptor, &event)
    }

    func forget(_ connection: Connection) {
        epoll_ctl(epoll, EPOLL_CTL_DEL, connection.descriptor, nil)
        connections.removeValue(forKey: connection.descriptor)
        onConnectionClosed?(connection)
    }

    private func register(_ descriptor: Int32, events: UInt32) throws {
        var event = epoll_event()
        event.events = events
        event.data.fd = descriptor
        guard epoll_ctl(epoll, EPOLL_CTL_ADD, descriptor, &event) == 0 else { throw NetError("epoll_ctl") }
    }

    // MARK: - The loop

    private func run() {
        var events = [epoll_event](repeating: epoll_event(), count: 256)
        while running {
            let ready = epoll_wait(epoll, &events, Int32(events.count), 250)
            if ready < 0, errno != EINTR {
                logger.critical("epoll_wait failed; stopping I/O thread", ["error": "\(NetError("epoll_wait"))"])
                break
            }
            for slot in 0..<max(0, Int(ready)) {
                handle(descriptor: events[slot].data.fd, events: events[slot].events)
            }
            runPending()
            closeIdleConnections()
        }
        for connection in connections.values { connection.abort(reason: .serverStopped) }
    }

    private func handle(descriptor: Int32, events: UInt32) {
        if descriptor == wakeup {
            var value: UInt64 = 0
            _ = read(wakeup, &value, 8)
            return
        }
        if let onReadable = listeners[descriptor] {
            onReadable(self)
            return
        }
        guard let connection = connections[descriptor] else { return }
        if events & (EPOLLIN.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 {
            readBuffer.withUnsafeMutableBytes { connection.readAvailable(into: $0) }
        }
        if connection.isOpen, events & EPOLLOUT.rawValue != 0 {
            connection.flush()
        }
    }

    private func runPending() {
        lock.lock()
        let work = pending
        pending.removeAll(keepingCapacity: true)
        lock.unlock()
        for item in work { item() }
    }

    private func closeIdleConnections() {
        guard idleTimeout > 0 else { return }
        let now = EventLoop.now()
        guard now - lastIdleCheck >= 1 else { return }
        lastIdleCheck = now
        for connection in connections.values where !connection.isBusy && now - connection.lastActivity > idleTimeout {
            connection.abort(reason: .idleTimeout)
        }
    }

    /// Monotonic seconds.
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
