import LarderRESP

/// Properties of a command that the dispatcher acts on.
struct CommandFlags: OptionSet, Sendable {
    let rawValue: Int
    /// Cheap and touches only the connection or counters: runs on the I/O thread.
    static let runsOnLoop = CommandFlags(rawValue: 1)
    /// Allowed before AUTH when a password is set.
    static let noAuth = CommandFlags(rawValue: 2)
    /// Changes data.
    static let write = CommandFlags(rawValue: 4)
    /// May carry an input the encoder turns into a vector (IMAGE, RECIPE):
    /// such a request runs on the encoding pool, not on the index workers.
    static let acceptsEncodedInput = CommandFlags(rawValue: 8)
}

/// The input of a command handler: the arguments, the connection's state and the server.
struct CommandContext {
    /// Unowned: the server outlives every request, and a strong reference
    /// would add two atomic updates per request on a cache line that every
    /// I/O thread shares.
    unowned(unsafe) let server: LarderServer
    /// The connection's session. Only `runsOnLoop` commands may change it.
    /// Unowned because the code that runs the command keeps the session alive:
    /// the session itself, or a worker closure that captures it.
    unowned(unsafe) let session: ClientSession
    var arguments: CommandArguments
    /// Protocol version of the connection when the command started.
    let version: RESPVersion
    let connectionID: UInt64
    /// Position of this request on its connection, from 1.
    let requestNumber: Int
    /// Id naming this request in log lines: `<connection id>-<request number>`.
    /// Built only when something logs it, because formatting it for every request costs allocations.
    var requestID: String { "\(connectionID)-\(requestNumber)" }
    /// Time the command spent in each stage of an encoded or searched request.
    var stages = StageTimings()
}

/// Microseconds one request spent decoding its payload, running the encoder,
/// and searching, for the slow log and INFO. Zero for a stage it did not use.
struct StageTimings: Sendable {
    var decodeMicros = 0
    var encodeMicros = 0
    var searchMicros = 0

    /// Adds the decode and encode time of an encoded input.
    mutating func record(_ input: EncodedInput) {
        decodeMicros += Int(input.decodeSeconds * 1e6)
        encodeMicros += Int(input.encodeSeconds * 1e6)
    }

    /// Log fields for the stages that took time.
    var logFields: [String: String] {
        var fields: [String: String] = [:]
        if decodeMicros > 0 { fields["decode_us"] = "\(decodeMicros)" }
        if encodeMicros > 0 { fields["encode_us"] = "\(encodeMicros)" }
        if searchMicros > 0 { fields["search_us"] = "\(searchMicros)" }
        return fields
    }
}

/// One command: its name, arity in the Redis convention (N exactly N
/// arguments including the name, -N at least N), flags, key positions for
/// COMMAND, and handler.
///
/// A class, so a lookup per request retains one object instead of copying
/// four reference-counted fields.
final class CommandSpec: Sendable {
    let name: String
    let arity: Int
    let flags: CommandFlags
    let firstKey: Int
    let summary: String
    let handler: @Sendable (inout CommandContext) throws -> RESPValue
    /// Calls and time of this command for INFO commandstats, held here so a
    /// request counts itself without a lookup by name.
    let counter = CommandCounter()

    init(name: String, arity: Int, flags: CommandFlags, firstKey: Int, summary: String,
         handler: @escaping @Sendable (inout CommandContext) throws -> RESPValue) {
        self.name = name
        self.arity = arity
        self.flags = flags
        self.firstKey = firstKey
        self.summary = summary
        self.handler = handler
    }

    func acceptsArgumentCount(_ count: Int) -> Bool {
        arity >= 0 ? count == arity : count >= -arity
    }

    /// The COMMAND reply entry: name, arity, flags, first key, last key, step.
    var info: RESPValue {
        var flagNames: [RESPValue] = []
        if flags.contains(.write) { flagNames.append(.simpleString("write")) } else { flagNames.append(.simpleString("readonly")) }
        if flags.contains(.runsOnLoop) { flagNames.append(.simpleString("fast")) }
        if flags.contains(.noAuth) { flagNames.append(.simpleString("no_auth")) }
        return .array([.bulk(name.lowercased()), .integer(Int64(arity)), .set(flagNames),
                       .integer(Int64(firstKey)), .integer(Int64(firstKey)), .integer(firstKey > 0 ? 1 : 0)])
    }
}

/// Every command the server implements, by upper-case name.
struct CommandTable: Sendable {
    private(set) var specs: [String: CommandSpec] = [:]

    mutating func register(_ name: String, arity: Int, flags: CommandFlags = [], firstKey: Int = 0, summary: String,
                           _ handler: @escaping @Sendable (inout CommandContext) throws -> RESPValue) {
        specs[name] = CommandSpec(name: name, arity: arity, flags: flags, firstKey: firstKey, summary: summary,
                                  handler: handler)
    }

    func spec(for name: String) -> CommandSpec? { specs[name] }

    /// The table of every command, built once per server.
    static func standard() -> CommandTable {
        var table = CommandTable()
        table.registerConnectionCommands()
        table.registerServerCommands()
        table.registerVectorWriteCommands()
        table.registerVectorSearchCommand()
        table.registerVectorReadCommands()
        return table
    }
}
