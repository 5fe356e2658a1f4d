import LarderRESP

// MARK: - Connection commands: PING, ECHO, HELLO, AUTH, QUIT, SELECT, CLIENT, COMMAND

extension CommandTable {
    mutating func registerConnectionCommands() {
        register("PING", arity: -1, flags: [.runsOnLoop], summary: "PING [message]: PONG, or the message") { context in
            guard context.arguments.remaining <= 1 else { throw CommandError.wrongArgumentCount(command: "PING") }
            if context.arguments.remaining == 1 { return .bulkString(try context.arguments.nextBytes(for: "message")) }
            return .simpleString("PONG")
        }

        register("ECHO", arity: 2, flags: [.runsOnLoop], summary: "ECHO message: the message") { context in
            .bulkString(try context.arguments.nextBytes(for: "message"))
        }

        register("QUIT", arity: -1, flags: [.runsOnLoop, .noAuth], summary: "QUIT: close the connection") { context in
            context.session.closeAfterReply = true
            return .ok
        }

        register("SELECT", arity: 2, flags: [.runsOnLoop], summary: "SELECT 0: Larder has only database 0") { context in
            let index = try context.arguments.nextInteger(for: "database index")
            guard index == 0 else { throw CommandError.unsupported("DB index is out of range; Larder has only database 0") }
            return .ok
        }

        register("AUTH", arity: -2, flags: [.runsOnLoop, .noAuth], summary: "AUTH [default] password") { context in
            guard context.arguments.remaining <= 2 else { throw CommandError.wrongArgumentCount(command: "AUTH") }
            let user = context.arguments.remaining == 2 ? try context.arguments.nextString(for: "username") : "default"
            let password = try context.arguments.nextBytes(for: "password")
            try context.session.authenticate(user: user, password: password)
            return .ok
        }

        register("HELLO", arity: -1, flags: [.runsOnLoop, .noAuth],
                 summary: "HELLO [2|3 [AUTH user password] [SETNAME name]]: switch protocol") { context in
            try hello(&context)
        }

        register("CLIENT", arity: -2, flags: [.runsOnLoop],
                 summary: "CLIENT ID|GETNAME|SETNAME name|SETINFO attr value|INFO") { context in
            let session = context.session
            switch context.arguments.nextKeyword() {
            case "ID": return .integer(Int64(session.connectionID))
            case "GETNAME": return session.clientName.map { .bulk($0) } ?? .null
            case "SETNAME":
                session.clientName = try context.arguments.nextString(for: "client name")
                return .ok
            case "SETINFO": return .ok
            case "INFO":
                return .bulk("id=\(session.connectionID) addr=\(session.peer) name=\(session.clientName ?? "") "
                    + "resp=\(session.version.rawValue)\n")
            case let other:
                throw CommandError.unsupported("unknown subcommand '\((other ?? "").prefix(64))' for CLIENT; Larder "
                    + "supports CLIENT ID, GETNAME, SETNAME, SETINFO and INFO")
            }
        }

        register("COMMAND", arity: -1, flags: [.runsOnLoop], summary: "COMMAND [COUNT|DOCS|INFO name...]") { context in
            let table = context.server.commands
            switch context.arguments.nextKeyword() {
            case nil:
                return .array(table.specs.values.sorted { $0.name < $1.name }.map(\.info))
            case "COUNT":
                return .integer(Int64(table.specs.count))
            case "INFO":
                var entries: [RESPValue] = []
                while !context.arguments.isAtEnd {
                    entries.append(table.spec(for: context.arguments.nextKeyword()!)?.info ?? .nullArray)
                }
                return .array(entries)
            case "DOCS":
                var entries: [RESPMapEntry] = []
                while !context.arguments.isAtEnd {
                    guard let spec = table.spec(for: context.arguments.nextKeyword()!) else { continue }
                    entries.append(RESPMapEntry(.bulk(spec.name.lowercased()),
                                                .map([RESPMapEntry(.bulk("summary"), .bulk(spec.summary))])))
                }
                return .map(entries)
            case let other?:
                throw CommandError.syntax("unknown COMMAND subcommand '\(other)'; use COUNT, DOCS or INFO")
            }
        }
    }
}

/// HELLO: optional AUTH and SETNAME, then the protocol switch and the server description.
private func hello(_ context: inout CommandContext) throws -> RESPValue {
    let session = context.session
    var requested = session.version
    if !context.arguments.isAtEnd {
        let text = try context.arguments.nextString(for: "protocol version")
        guard let number = Int(text), let version = RESPVersion(rawValue: number) else {
            throw CommandError.unsupportedProtocol(text)
        }
        requested = version
    }
    var name: String?
    while let option = context.arguments.nextKeyword() {
        switch option {
        case "AUTH":
            let user = try context.arguments.nextString(for: "username")
            let password = try context.arguments.nextBytes(for: "password")
            try session.authenticate(user: user, password: password)
        case "SETNAME":
            name = try context.arguments.nextString(for: "client name")
        default:
            throw CommandError.syntax("HELLO option '\(option)' is unknown; use AUTH or SETNAME")
        }
    }
    guard session.isAuthenticated else { throw CommandError.noAuthentication }
    if let name { session.clientName = name }
    session.version = requested
    return .map([
        RESPMapEntry(.bulk("server"), .bulk("larder")),
        RESPMapEntry(.bulk("version"), .bulk(LarderServer.version)),
        RESPMapEntry(.bulk("proto"), .integer(Int64(requested.rawValue))),
        RESPMapEntry(.bulk("id"), .integer(Int64(session.connectionID))),
        RESPMapEntry(.bulk("mode"), .bulk("standalone")),
        RESPMapEntry(.bulk("role"), .bulk("master")),
        RESPMapEntry(.bulk("modules"), .array([])),
    ])
}

extension ClientSession {
    /// Checks a password against `requirepass` in constant time for equal lengths.
    func authenticate(user: String, password: [UInt8]) throws {
        guard let expected = server.configuration.requirePass else { throw CommandError.noPasswordConfigured }
        let wanted = Array(expected.utf8)
        var difference = UInt8(wanted.count == password.count ? 0 : 1)
        for index in 0..<min(wanted.count, password.count) { difference |= wanted[index] ^ password[index] }
        guard user == "default", difference == 0 else {
            server.logClientError("authentication failed", ["client": peer, "id": "\(connectionID)"])
            throw CommandError.wrongPassword
        }
        isAuthenticated = true
    }
}
