import LarderLog
import LarderNet
import LarderRESP

/// The server side of one connection: parses requests, dispatches them in
/// order and writes the replies.
///
/// Commands flagged `runsOnLoop` run on the connection's I/O thread. Others
/// go to the worker pool. While one runs, the session dispatches nothing else
/// and stops reading once more bytes arrive. So replies keep the order of the
/// requests, and a pipelining client cannot buffer without bound. Everything
/// here runs on the connection's loop thread.
final class ClientSession: ConnectionHandler, @unchecked Sendable {
    let server: LarderServer
    /// The command table of this connection's I/O thread.
    private let commands: CommandTable
    /// A strong reference, cleared by `connectionDidClose` after the connection
    /// has dropped its reference to this session. It is not weak because Swift
    /// keeps the counts of a weakly referenced object in a side table. Then every
    /// retain and release of the connection takes the slow path, which cost about
    /// 15% of a pipelined PING's CPU time.
    private(set) var connection: Connection?
    private var parser: RESPRequestParser
    var version: RESPVersion = .resp2
    var isAuthenticated: Bool
    var clientName: String?
    private var busy = false
    private var requestCount = 0
    /// Calls of commands run on the loop, added to the shared counters once
    /// per batch of parsed requests rather than once per request.
    private var tally = CommandTally()
    /// The command name bytes of the previous request and its spec, so a
    /// pipelined run of one command skips decoding, upper-casing and the table lookup.
    private var lastName: [UInt8] = []
    private var lastSpec: CommandSpec?
    /// Set by QUIT: close once the reply is sent.
    var closeAfterReply = false
    let connectionID: UInt64
    let peer: String

    init(server: LarderServer, connection: Connection) {
        self.server = server
        self.connection = connection
        commands = server.loopCommands[connection.loop.index % server.loopCommands.count]
        self.connectionID = connection.id
        self.peer = connection.peer
        parser = RESPRequestParser(limits: server.configuration.limits)
        isAuthenticated = server.configuration.requirePass == nil
    }

    // MARK: - ConnectionHandler

    func connectionDidOpen(_ connection: Connection) {
        server.logger.debug("client connected", ["client": peer, "id": "\(connectionID)"])
    }

    func connection(_ connection: Connection, didRead bytes: UnsafeRawBufferPointer) {
        parser.append(bytes)
        if busy {
            // Stop reading only once a client sends more while a command runs, so a
            // request-reply client costs no epoll_ctl calls and a pipelining one
            // buffers at most one read beyond the running command.
            connection.setReading(false)
            return
        }
        processRequests()
    }

    func connectionDidClose(_ connection: Connection, reason: CloseReason) {
        self.connection = nil
        if reason == .outputLimit {
            server.logClientError("client disconnected: output buffer over \(server.configuration.maxOutputBuffer) bytes",
                                  ["client": peer, "id": "\(connectionID)"])
        } else {
            server.logger.debug("client disconnected", ["client": peer, "id": "\(connectionID)", "reason": "\(reason)"])
        }
    }

    // MARK: - Dispatch

    private func processRequests() {
        guard let connection else { return }
        defer { tally.flush() }
        while !busy, !connection.isClosed, !closeAfterReply {
            let request: RESPRequest?
            do {
                request = try parser.next()
            } catch let error as RESPProtocolError {
                server.statistics.recordProtocolError()
                server.logClientError("protocol error; closing connection",
                                      ["client": peer, "id": "\(connectionID)", "error": error.description])
                send(.error("ERR \(error.description)"), version: version)
                connection.close()
                return
            } catch {
                connection.abort(reason: .requested)
                return
            }
            guard let request else { break }
            dispatch(request)
        }
        if closeAfterReply { connection.close() }
        connection.flush()
    }

    private func dispatch(_ request: RESPRequest) {
        requestCount += 1
        let spec: CommandSpec
        if let last = lastSpec, request.arguments[0] == lastName {
            spec = last
        } else {
            guard let found = commands.spec(for: request.commandName) else {
                let otherArguments = request.arguments.dropFirst().map { String(decoding: $0, as: UTF8.self) }
                reject(CommandError.unknownCommand(String(decoding: request.arguments[0], as: UTF8.self),
                                                   arguments: otherArguments))
                return
            }
            spec = found
            lastName = request.arguments[0]
            lastSpec = found
        }
        guard spec.acceptsArgumentCount(request.arguments.count) else {
            reject(.wrongArgumentCount(command: spec.name))
            return
        }
        guard isAuthenticated || spec.flags.contains(.noAuth) else {
            reject(.noAuthentication)
            return
        }

        var context = CommandContext(server: server, session: self, arguments: CommandArguments(request.arguments),
                                     version: version, connectionID: connectionID, requestNumber: requestCount)
        if spec.flags.contains(.runsOnLoop) {
            let reply = server.execute(spec, &context, client: peer, tally: &tally)
            send(reply, version: version)
            return
        }
        runOnWorker(spec, context, arguments: request.arguments, client: peer)
    }

    private func runOnWorker(_ spec: CommandSpec, _ context: CommandContext, arguments: [[UInt8]], client: String) {
        guard let connection else { return }
        busy = true
        connection.isBusy = true
        server.statistics.beginCommand()
        let server = self.server
        let version = context.version
        let requestID = context.requestID
        nonisolated(unsafe) var context = context
        let accepted = server.submit(spec, arguments: arguments) { [self] in
            var workerTally = CommandTally()
            let reply = server.execute(spec, &context, client: client, tally: &workerTally)
            workerTally.flush()
            let bytes = RESPEncoder(version: version).encode(reply)
            connection.loop.execute { [self] in
                server.statistics.endCommand()
                self.busy = false
                guard !connection.isClosed else { return }
                connection.isBusy = false
                connection.write(bytes)
                connection.setReading(true)
                self.processRequests()
            }
        }
        if !accepted {
            server.statistics.endCommand()
            busy = false
            connection.isBusy = false
            connection.setReading(true)
            let message = "BUSY \(server.configuration.encodingBacklog) requests already wait for the encoder; "
                + "retry later or raise --encoder-queue"
            server.statistics.recordCommand(spec.counter, micros: 0, failed: true)
            server.logClientError("encoder backlog full", ["client": client, "request": requestID])
            send(.error(message), version: version)
        }
    }

    private func reject(_ error: CommandError) {
        server.statistics.recordRejected()
        server.logClientError("command rejected", ["client": peer, "request": "\(connectionID)-\(requestCount)",
                                                   "error": error.description])
        send(.error(error.description), version: version)
    }

    private func send(_ reply: RESPValue, version: RESPVersion) {
        guard let connection else { return }
        connection.write { RESPEncoder(version: version).encode(reply, into: &$0) }
    }
}
