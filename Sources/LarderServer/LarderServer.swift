import Foundation
import LarderLog
import LarderNet
import LarderRESP

/// Larder's RESP server: the Redis vector-set commands (VADD, VSIM, ...)
/// plus the connection and server commands that Redis clients expect,
/// served over `LarderNet`'s event loops with index work on a worker pool.
///
/// Lifecycle: `start()`, then `requestShutdown()` from any thread (SHUTDOWN,
/// SIGTERM, SIGINT) or `stop()`, and `waitUntilStopped()`. Shutdown stops
/// accepting, lets running commands finish, sends queued replies, closes the
/// clients and then closes the keyspace, which flushes its write-ahead log.
public final class LarderServer: @unchecked Sendable {
    /// The settings the server runs with.
    public let configuration: ServerConfiguration
    /// Storage of every vector set.
    public let keyspace: VectorKeyspace
    /// Turns IMAGE, RECIPE and other non-vector inputs into vectors, when a model is loaded.
    public let encoder: VectorInputEncoder?
    /// Server version reported by INFO and HELLO.
    public static let version = "0.1.0"

    let logger: Logger
    /// The command table, for COMMAND and lookups off the I/O threads.
    var commands: CommandTable { loopCommands[0] }
    /// One command table per I/O thread, each with its own counters, so the
    /// threads never share a spec's reference count or counters; INFO adds them up.
    let loopCommands: [CommandTable]
    let statistics: ServerStatistics
    let slowLog: SlowLog
    let startedAt = Date()
    private(set) var workers: WorkerPool
    /// Runs requests with encoded input (nil without an encoder); see `ServerConfiguration.encodingThreads`.
    private let encodingWorkers: WorkerPool?
    private var tcp: TCPServer?
    private let clientErrorLimiter: LogRateLimiter
    private let stateLock = NSLock()
    private var shutdownStarted = false
    private let stopped = DispatchSemaphore(value: 0)
    private var stopResult: Error?
    private var signalSources: [DispatchSourceSignal] = []
    private(set) var lastSave: Date?

    public init(configuration: ServerConfiguration, keyspace: VectorKeyspace, encoder: VectorInputEncoder? = nil,
                logger: Logger = Logger(label: "server")) {
        self.configuration = configuration
        self.keyspace = keyspace
        self.encoder = encoder
        self.logger = logger
        loopCommands = (0..<max(1, configuration.ioThreads)).map { _ in CommandTable.standard() }
        statistics = ServerStatistics(tables: loopCommands)
        slowLog = SlowLog(capacity: configuration.slowLogCapacity)
        clientErrorLimiter = LogRateLimiter(limit: configuration.clientErrorLogRate, interval: 1)
        workers = WorkerPool(threads: configuration.workerThreads, name: "larder-worker")
        encodingWorkers = encoder.map { _ in
            WorkerPool(threads: configuration.encodingThreads, name: "larder-encoding")
        }
    }

    /// The port the server listens on (useful with port 0).
    public var port: Int { tcp?.port ?? 0 }

    /// Connections open now.
    public var connectionCount: Int { tcp?.connectionCount ?? 0 }

    var acceptedConnections: Int { tcp?.acceptedConnections ?? 0 }
    var rejectedConnections: Int { tcp?.rejectedConnections ?? 0 }

    /// Queues `job` on the pool its request belongs to: the encoding pool
    /// when the request carries an input the encoder handles, the index
    /// workers otherwise.
    /// - Returns: false when the encoding pool's backlog is full (the caller replies BUSY).
    func submit(_ spec: CommandSpec, arguments: [[UInt8]], _ job: @escaping @Sendable () -> Void) -> Bool {
        if spec.flags.contains(.acceptsEncodedInput), let encoder, let encodingWorkers,
           VectorInputParser.peekEncodedInput(arguments, kinds: encoder.kinds) {
            return encodingWorkers.trySubmit(limit: configuration.encodingBacklog, job)
        }
        workers.submit(job)
        return true
    }

    // MARK: - Lifecycle

    /// Binds and starts serving.
    ///
    /// - Throws: `ServerConfigurationError` for an unprotected non-loopback
    ///   bind, `NetError` or `InvalidAddressError` when binding fails.
    public func start() throws {
        if !configuration.bindsLoopback, configuration.requirePass == nil, !configuration.allowUnprotected {
            throw ServerConfigurationError.unprotectedBind(host: configuration.host)
        }
        var net = NetConfiguration(host: configuration.host, port: configuration.port,
                                   ioThreads: configuration.ioThreads, maxClients: configuration.maxClients,
                                   maxOutputBuffer: configuration.maxOutputBuffer,
                                   idleTimeout: configuration.idleTimeout)
        net.rejectionMessage = Array("-ERR max number of clients reached\r\n".utf8)
        let server = TCPServer(configuration: net, logger: Logger(label: "net")) { [unowned self] connection in
            ClientSession(server: self, connection: connection)
        }
        try server.start()
        tcp = server
        logger.info("listening", ["address": "\(configuration.host):\(server.port)",
                                  "io_threads": "\(net.ioThreads)", "workers": "\(configuration.workerThreads)",
                                  "auth": configuration.requirePass == nil ? "off" : "on",
                                  "dir": configuration.dataDirectory ?? "(memory)"])
    }

    /// Makes SIGTERM and SIGINT start a graceful shutdown.
    public func installSignalHandlers() {
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            // Unowned, not weak: a weak reference would move the server's
            // reference counts to a side table and slow down every request that
            // retains it. The sources are cancelled before the server goes away.
            source.setEventHandler { [unowned self] in
                logger.info("received signal; shutting down", ["signal": number == SIGTERM ? "SIGTERM" : "SIGINT"])
                requestShutdown()
            }
            source.resume()
            signalSources.append(source)
        }
    }

    /// Starts a graceful shutdown on a background thread; safe to call from
    /// any thread, more than once.
    public func requestShutdown() {
        let first = stateLock.withLock {
            defer { shutdownStarted = true }
            return !shutdownStarted
        }
        guard first else { return }
        Thread.detachNewThread { [self] in
            self.performShutdown()
        }
    }

    /// Blocks until shutdown has finished.
    ///
    /// - Throws: the error closing the keyspace raised, if any.
    public func waitUntilStopped() throws {
        stopped.wait()
        stopped.signal()
        if let stopResult { throw stopResult }
    }

    /// Shuts down and waits.
    public func stop() throws {
        requestShutdown()
        try waitUntilStopped()
    }

    private func performShutdown() {
        logger.info("shutting down: no longer accepting connections")
        tcp?.stopAccepting()
        let deadline = Date().addingTimeInterval(configuration.shutdownGrace)
        while statistics.commandsInFlight > 0, Date() < deadline { usleep(2_000) }
        if statistics.commandsInFlight > 0 {
            logger.warning("shutdown grace period over; closing clients with commands still running",
                           ["running": "\(statistics.commandsInFlight)"])
        }
        tcp?.stop(grace: 2)
        encodingWorkers?.stop()
        workers.stop()
        do {
            try keyspace.close()
            if let directory = configuration.dataDirectory {
                logger.info("stopped; data flushed", ["dir": directory])
            } else {
                logger.info("stopped; the in-memory data is gone")
            }
        } catch {
            stopResult = error
            logger.error("closing the data directory failed", ["error": "\(error)"])
        }
        for source in signalSources { source.cancel() }
        stopped.signal()
    }

    // MARK: - Command execution

    /// Runs one command: times it, turns thrown errors into error replies,
    /// counts it, and records it in the slow log when slow.
    /// The call is counted in `tally`, which the caller flushes.
    func execute(_ spec: CommandSpec, _ context: inout CommandContext, client: String,
                 tally: inout CommandTally) -> RESPValue {
        let start = DispatchTime.now().uptimeNanoseconds
        let reply: RESPValue
        do {
            reply = try spec.handler(&context)
        } catch let error as CommandError {
            reply = .error(error.description)
        } catch {
            reply = .error(ErrorReplies.describe(error))
        }
        let micros = Int((DispatchTime.now().uptimeNanoseconds - start) / 1_000)
        var failed = false
        if case .error(let message) = reply {
            failed = true
            logClientError("command failed", ["client": client, "request": context.requestID,
                                              "command": spec.name, "error": message])
        }
        if failed { statistics.recordFailure() }
        tally.add(spec.counter, micros: micros)
        statistics.recordStages(context.stages)
        if micros >= configuration.slowLogThresholdMicros {
            slowLog.add(micros: micros, arguments: context.arguments.raw, client: client, requestID: context.requestID)
            let fields = ["command": spec.name, "duration_us": "\(micros)", "client": client, "request": context.requestID]
            logger.warning("slow command", fields.merging(context.stages.logFields) { old, _ in old })
        }
        return reply
    }

    /// Logs a problem caused by a client, at most `clientErrorLogRate` lines a second.
    func logClientError(_ message: String, _ metadata: [String: String]) {
        let (allowed, suppressed) = clientErrorLimiter.admit()
        guard allowed else { return }
        var extra = metadata
        if suppressed > 0 { extra["suppressed_before"] = "\(suppressed)" }
        logger.notice(message, extra)
    }

    func recordSave() { stateLock.withLock { lastSave = Date() } }
}
