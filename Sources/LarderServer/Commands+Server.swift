import Foundation
import LarderRESP

// MARK: - Server and keyspace commands: INFO, DBSIZE, DEL, EXISTS, TYPE, KEYS, SAVE, SHUTDOWN, SLOWLOG, CONFIG

extension CommandTable {
    mutating func registerServerCommands() {
        register("INFO", arity: -1, flags: [.runsOnLoop], summary: "INFO [section ...]: server information") { context in
            var sections: [String] = []
            while let section = context.arguments.nextKeyword() { sections.append(section.lowercased()) }
            let text = ServerInfo.render(context.server, sections: sections)
            return .verbatimString(format: "txt", text: text)
        }

        register("DBSIZE", arity: 1, flags: [.runsOnLoop], summary: "DBSIZE: number of vector sets") { context in
            .integer(Int64(context.server.keyspace.keys.count))
        }

        register("EXISTS", arity: -2, flags: [.runsOnLoop], firstKey: 1, summary: "EXISTS key [key ...]") { context in
            var found = 0
            while !context.arguments.isAtEnd {
                if context.server.keyspace.vectorSet(try context.arguments.nextString(for: "key")) != nil { found += 1 }
            }
            return .integer(Int64(found))
        }

        register("TYPE", arity: 2, flags: [.runsOnLoop], firstKey: 1, summary: "TYPE key: vectorset or none") { context in
            let key = try context.arguments.nextString(for: "key")
            return .simpleString(context.server.keyspace.vectorSet(key) == nil ? "none" : "vectorset")
        }

        register("KEYS", arity: 2, flags: [.runsOnLoop], summary: "KEYS pattern: keys matching a glob") { context in
            let pattern = try context.arguments.nextString(for: "pattern")
            let keys = context.server.keyspace.keys.filter { fnmatch(pattern, $0, 0) == 0 }.sorted()
            return .array(keys.map { .bulk($0) })
        }

        register("DEL", arity: -2, flags: [.write], firstKey: 1, summary: "DEL key [key ...]: drop vector sets") { context in
            var dropped = 0
            while !context.arguments.isAtEnd {
                if try context.server.keyspace.drop(try context.arguments.nextString(for: "key")) { dropped += 1 }
            }
            return .integer(Int64(dropped))
        }

        register("SAVE", arity: 1, flags: [.write], summary: "SAVE: checkpoint every vector set") { context in
            try context.server.keyspace.save()
            context.server.recordSave()
            return .ok
        }

        register("SHUTDOWN", arity: -1, flags: [.runsOnLoop],
                 summary: "SHUTDOWN [SAVE|NOSAVE]: stop the server after flushing data") { context in
            let option = context.arguments.nextKeyword()
            guard option == nil || option == "SAVE" || option == "NOSAVE" || option == "NOW" || option == "FORCE" else {
                throw CommandError.syntax("SHUTDOWN takes SAVE, NOSAVE, NOW or FORCE")
            }
            context.server.logger.info("SHUTDOWN requested", ["client": context.session.peer,
                                                              "request": context.requestID])
            context.server.requestShutdown()
            return .ok
        }

        register("SLOWLOG", arity: -2, flags: [.runsOnLoop], summary: "SLOWLOG GET [count] | LEN | RESET") { context in
            let slowLog = context.server.slowLog
            switch context.arguments.nextKeyword() {
            case "GET":
                let count = context.arguments.isAtEnd ? 10 : try context.arguments.nextInteger(for: "count", in: -1...Int.max)
                let entries = slowLog.recent(count < 0 ? Int.max : count)
                return .array(entries.map { entry in
                    .array([.integer(Int64(entry.id)), .integer(Int64(entry.timestamp)), .integer(Int64(entry.micros)),
                            .array(entry.arguments.map { .bulk($0) }), .bulk(entry.client), .bulk(entry.requestID)])
                })
            case "LEN":
                return .integer(Int64(slowLog.count))
            case "RESET":
                slowLog.reset()
                return .ok
            default:
                throw CommandError.syntax("SLOWLOG supports GET, LEN and RESET")
            }
        }

        register("CONFIG", arity: -2, flags: [.runsOnLoop], summary: "CONFIG GET parameter: read-only settings") { context in
            guard context.arguments.nextKeyword() == "GET" else {
                throw CommandError.unsupported("CONFIG supports only GET; settings are fixed at start")
            }
            let pattern = try context.arguments.nextString(for: "parameter").lowercased()
            let settings = ServerInfo.settings(context.server)
            let matching = settings.filter { fnmatch(pattern, $0.0, 0) == 0 }
            return .map(matching.map { RESPMapEntry(.bulk($0.0), .bulk($0.1)) })
        }
    }
}
