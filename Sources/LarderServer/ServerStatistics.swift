import Foundation

/// Counters shown by INFO stats, updated from every thread.
final class ServerStatistics: @unchecked Sendable {
    private let lock = NSLock()
    private var commands = 0
    private var commandMicros: [String: (calls: Int, micros: Int)] = [:]
    private var errors = 0
    private var protocolErrors = 0
    private var inFlight = 0

    func recordCommand(_ name: String, micros: Int, failed: Bool) {
        lock.withLock {
            commands += 1
            if failed { errors += 1 }
            let previous = commandMicros[name] ?? (0, 0)
            commandMicros[name] = (previous.calls + 1, previous.micros + micros)
        }
    }

    func recordProtocolError() { lock.withLock { protocolErrors += 1 } }

    func beginCommand() { lock.withLock { inFlight += 1 } }
    func endCommand() { lock.withLock { inFlight -= 1 } }

    /// Commands running on workers now.
    var commandsInFlight: Int { lock.withLock { inFlight } }

    var snapshot: (commands: Int, errors: Int, protocolErrors: Int, perCommand: [String: (calls: Int, micros: Int)]) {
        lock.withLock { (commands, errors, protocolErrors, commandMicros) }
    }
}

/// One slow command, as SLOWLOG GET returns it.
struct SlowLogEntry: Sendable {
    let id: Int
    let timestamp: Int
    let micros: Int
    let arguments: [String]
    let client: String
    let requestID: String
}

/// The last `capacity` commands slower than the threshold.
final class SlowLog: @unchecked Sendable {
    private let lock = NSLock()
    private let capacity: Int
    private var entries: [SlowLogEntry] = []
    private var nextID = 0

    init(capacity: Int) { self.capacity = capacity }

    func add(micros: Int, arguments: [[UInt8]], client: String, requestID: String) {
        // Like Redis, keep at most 32 arguments of at most 128 bytes each.
        var shown = arguments.prefix(32).map { argument -> String in
            argument.count > 128 ? String(decoding: argument.prefix(128), as: UTF8.self) + "... (\(argument.count) bytes)"
                : String(decoding: argument, as: UTF8.self)
        }
        if arguments.count > 32 { shown.append("... (\(arguments.count - 32) more arguments)") }
        lock.withLock {
            entries.append(SlowLogEntry(id: nextID, timestamp: Int(Date().timeIntervalSince1970), micros: micros,
                                        arguments: shown, client: client, requestID: requestID))
            nextID += 1
            if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
        }
    }

    /// Newest first.
    func recent(_ count: Int) -> [SlowLogEntry] { lock.withLock { Array(entries.suffix(count).reversed()) } }
    var count: Int { lock.withLock { entries.count } }
    func reset() { lock.withLock { entries.removeAll() } }
}
