import Foundation
import LarderArguments
import LarderLog
import LarderRESP
import LarderServer

/// `larder serve`: runs the RESP server until SIGTERM, SIGINT or SHUTDOWN.
enum ServeCommand: Subcommand {
    static let name = "serve"
    static let summary = "Run the RESP server with the Redis vector-set commands."
    /// Default port: Redis's 6379 plus 1000, so both can run side by side.
    static let defaultPort = "7379"

    static var spec: CommandSpec {
        var spec = CommandSpec(name: name, summary: summary)
        spec.option("config", metavar: "FILE", help: "Read options from FILE: one 'name value' per line "
                    + "(a bare name sets a flag, '#' starts a comment); command-line options win.")
        spec.option("port", metavar: "PORT", help: "TCP port to listen on (0 picks a free port).", default: defaultPort)
        spec.option("bind", metavar: "ADDR", help: "Address to bind; non-loopback needs --requirepass or --unprotected.",
                    default: "127.0.0.1")
        spec.option("dir", metavar: "DIR", help: "Data directory holding every vector set.")
        spec.flag("in-memory", help: "Keep vector sets in memory only (nothing is written; data is gone at exit).")
        spec.option("requirepass", metavar: "SECRET", help: "Password clients must send with AUTH or HELLO.")
        spec.flag("unprotected", help: "Allow binding a non-loopback address without a password.")
        spec.option("appendfsync", metavar: "POLICY", help: "WAL fsync policy: always, everysec or no.", default: "everysec")
        spec.option("io-threads", metavar: "N", help: "Event-loop threads (default: one per core).")
        spec.option("workers", metavar: "N", help: "Threads running index commands (default: twice the cores, at least 4).")
        spec.option("maxclients", metavar: "N", help: "Most clients connected at once.", default: "10000")
        spec.option("timeout", metavar: "SECONDS", help: "Close clients idle this long; 0 never does.", default: "0")
        spec.option("max-bulk-length", metavar: "BYTES", help: "Largest bulk string accepted (photos included).",
                    default: "67108864")
        spec.option("max-output-buffer", metavar: "BYTES", help: "Reply bytes queued for a client before it is "
                    + "disconnected.", default: "67108864")
        spec.option("slowlog-micros", metavar: "MICROS",
                    help: "Log commands slower than this many microseconds; the default leaves room for "
                        + "encoding a photo, which takes a few hundred milliseconds on 2 cores.",
                    default: "500000")
        declareEncoderOptions(in: &spec)
        return spec
    }

    static func run(_ arguments: [String]) throws -> Int32 {
        let configFile = try ConfigFile.load(commandLine: arguments)
        let configuration: ServerConfiguration
        let parsed: ParsedArguments
        do {
            parsed = try spec.parse((configFile?.arguments ?? []) + arguments)
            configuration = try makeConfiguration(parsed)
        } catch let error as ArgumentError {
            throw configFile?.locate(error, commandLine: arguments) ?? error
        }
        let keyspace = try makeKeyspace(parsed, configuration: configuration)
        let encoder = try makeEncoder(parsed)
        let server = LarderServer(configuration: configuration, keyspace: keyspace, encoder: encoder)
        server.installSignalHandlers()
        try server.start()
        try server.waitUntilStopped()
        return 0
    }

    /// Reads the server settings from the parsed options.
    static func makeConfiguration(_ parsed: ParsedArguments) throws -> ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.port = try parsed.integer("port", in: 0...65535) ?? 7379
        configuration.host = parsed.string("bind") ?? "127.0.0.1"
        configuration.requirePass = parsed.string("requirepass")
        configuration.allowUnprotected = parsed.flag("unprotected")
        configuration.appendFsync = try parsed.choice("appendfsync", from: ["always", "everysec", "no"]) ?? "everysec"
        if let threads = try parsed.integer("io-threads", in: 1...256) { configuration.ioThreads = threads }
        if let workers = try parsed.integer("workers", in: 1...1024) { configuration.workerThreads = workers }
        configuration.maxClients = try parsed.integer("maxclients", in: 1...1_000_000) ?? 10_000
        configuration.idleTimeout = try parsed.double("timeout") ?? 0
        guard configuration.idleTimeout >= 0, configuration.idleTimeout.isFinite else {
            throw ArgumentError.invalidValue(option: "timeout", value: parsed.string("timeout") ?? "",
                                             expected: "seconds from 0 (never close idle clients) upwards")
        }
        configuration.limits.maxBulkLength = try parsed.integer("max-bulk-length", in: 1024...(1 << 31)) ?? 64 << 20
        configuration.limits.maxQueryBuffer = max(configuration.limits.maxQueryBuffer,
                                                  configuration.limits.maxBulkLength * 2)
        configuration.maxOutputBuffer = try parsed.integer("max-output-buffer", in: 1024...Int.max) ?? 64 << 20
        configuration.slowLogThresholdMicros = try parsed.integer("slowlog-micros", in: 0...Int.max) ?? 500_000
        try applyEncoderLimits(parsed, to: &configuration)
        if parsed.flag("in-memory"), let directory = parsed.string("dir") {
            throw ArgumentError.invalidValue(option: "dir", value: directory,
                                             expected: "no --dir together with --in-memory (choose one)")
        }
        if !parsed.flag("in-memory") {
            guard let directory = parsed.string("dir") else {
                throw ArgumentError.missingRequired("dir",
                                                    hint: "give a data directory, or --in-memory to keep nothing on disk")
            }
            configuration.dataDirectory = directory
        }
        return configuration
    }

    /// Opens the data directory, or makes an in-memory keyspace.
    static func makeKeyspace(_ parsed: ParsedArguments, configuration: ServerConfiguration) throws -> VectorKeyspace {
        guard let directory = configuration.dataDirectory else { return MemoryKeyspace() }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw ArgumentError.invalidValue(option: "dir", value: directory,
                                             expected: "a directory, but it is a file; give a new or existing directory")
        }
        return try StorageKeyspace(directory: URL(fileURLWithPath: directory), appendFsync: configuration.appendFsync)
    }
}
