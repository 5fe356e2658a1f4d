import Foundation

/// The text of INFO: `# Section` headers and `field:value` lines, as Redis formats it.
enum ServerInfo {
    static let sections = ["server", "clients", "memory", "stats", "persistence", "encoder", "keyspace", "commandstats"]

    static func render(_ server: LarderServer, sections requested: [String]) -> String {
        let wanted: [String]
        if requested.isEmpty || requested.contains("default") {
            wanted = sections.filter { $0 != "commandstats" }
        } else if requested.contains("all") || requested.contains("everything") {
            wanted = sections
        } else {
            wanted = sections.filter { requested.contains($0) }
        }
        var lines: [String] = []
        for section in wanted {
            lines.append("# " + section.prefix(1).uppercased() + section.dropFirst())
            for (field, value) in fields(section, server) { lines.append("\(field):\(value)") }
            lines.append("")
        }
        return lines.joined(separator: "\r\n")
    }

    /// CONFIG GET's view of the settings.
    static func settings(_ server: LarderServer) -> [(String, String)] {
        let configuration = server.configuration
        return [
            ("bind", configuration.host), ("port", "\(server.port)"), ("maxclients", "\(configuration.maxClients)"),
            ("timeout", "\(Int(configuration.idleTimeout))"), ("appendonly", configuration.dataDirectory == nil ? "no" : "yes"),
            ("appendfsync", configuration.appendFsync), ("save", ""), ("dir", configuration.dataDirectory ?? ""),
            ("proto-max-bulk-len", "\(configuration.limits.maxBulkLength)"),
            ("slowlog-log-slower-than", "\(configuration.slowLogThresholdMicros)"),
            ("io-threads", "\(configuration.ioThreads)"),
            ("requirepass", configuration.requirePass == nil ? "" : "(set)"),
        ]
    }

    private static func fields(_ section: String, _ server: LarderServer) -> [(String, String)] {
        let configuration = server.configuration
        switch section {
        case "server":
            return [("larder_version", LarderServer.version), ("redis_mode", "standalone"),
                    ("process_id", "\(getpid())"), ("tcp_port", "\(server.port)"),
                    ("uptime_in_seconds", "\(Int(Date().timeIntervalSince(server.startedAt)))"),
                    ("io_threads", "\(configuration.ioThreads)"), ("worker_threads", "\(configuration.workerThreads)")]
        case "clients":
            return [("connected_clients", "\(server.connectionCount)"), ("maxclients", "\(configuration.maxClients)"),
                    ("client_output_buffer_limit", "\(configuration.maxOutputBuffer)"),
                    ("commands_running", "\(server.statistics.commandsInFlight)")]
        case "memory":
            let rss = residentBytes()
            return [("used_memory_rss", "\(rss)"), ("used_memory_rss_human", humanBytes(rss))]
        case "stats":
            let stats = server.statistics.snapshot
            return [("total_connections_received", "\(server.acceptedConnections)"),
                    ("rejected_connections", "\(server.rejectedConnections)"),
                    ("total_commands_processed", "\(stats.commands)"), ("total_error_replies", "\(stats.errors)"),
                    ("protocol_errors", "\(stats.protocolErrors)"), ("slowlog_len", "\(server.slowLog.count)")]
        case "persistence":
            var result: [(String, String)] = [("appendfsync", configuration.appendFsync),
                                              ("dir", configuration.dataDirectory ?? "")]
            result.append(("last_save_time", server.lastSave.map { "\(Int($0.timeIntervalSince1970))" } ?? "0"))
            result += server.keyspace.persistenceInfo()
            return result
        case "encoder":
            let totals = server.statistics.stageTotals
            func mean(_ micros: Int, _ count: Int) -> String { count == 0 ? "0" : String(format: "%.1f", Double(micros) / Double(count)) }
            var result: [(String, String)] = [("encoder_loaded", server.encoder == nil ? "0" : "1")]
            result += server.encoder?.infoFields ?? []
            result += [("encoded_requests", "\(totals.encoded)"),
                       ("decode_usec", "\(totals.decodeMicros)"), ("decode_usec_per_request", mean(totals.decodeMicros, totals.encoded)),
                       ("encode_usec", "\(totals.encodeMicros)"), ("encode_usec_per_request", mean(totals.encodeMicros, totals.encoded)),
                       ("searches", "\(totals.searches)"),
                       ("search_usec", "\(totals.searchMicros)"), ("search_usec_per_request", mean(totals.searchMicros, totals.searches))]
            return result
        case "keyspace":
            let keys = server.keyspace.keys
            return keys.isEmpty ? [] : [("db0", "keys=\(keys.count),expires=0,avg_ttl=0")]
        case "commandstats":
            let stats = server.statistics.snapshot.perCommand
            return stats.keys.sorted().map { name in
                let entry = stats[name]!
                let perCall = entry.calls == 0 ? 0 : Double(entry.micros) / Double(entry.calls)
                return ("cmdstat_\(name.lowercased())",
                        "calls=\(entry.calls),usec=\(entry.micros),usec_per_call=\(String(format: "%.2f", perCall))")
            }
        default:
            return []
        }
    }

    /// Resident set size from /proc/self/statm (Linux), or 0 when unreadable.
    private static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    private static func humanBytes(_ bytes: Int) -> String {
        let units = ["B", "K", "M", "G", "T"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return String(format: "%.2f", value) + units[unit]
    }
}
