import Foundation
import Synchronization

/// Calls and total microseconds of one command.
final class CommandCounter: Sendable {
    let calls = Atomic<Int>(0)
    let micros = Atomic<Int>(0)
}

/// Counters shown by INFO stats, updated from every thread. Atomics rather
/// than a lock, because every request updates them on the hot path.
final class ServerStatistics: Sendable {
    /// Name under which rejected requests (unknown command, wrong arity, no auth) are counted.
    static let rejected = "(rejected)"

    /// One counter per command name; the dictionary never changes after init.
    private let counters: [String: CommandCounter]
    private let commands = Atomic<Int>(0)
    private let errors = Atomic<Int>(0)
    private let protocolErrors = Atomic<Int>(0)
    private let inFlight = Atomic<Int>(0)
    private let decodeMicros = Atomic<Int>(0)
    private let encodeMicros = Atomic<Int>(0)
    private let searchMicros = Atomic<Int>(0)
    private let encodedRequests = Atomic<Int>(0)
    private let searches = Atomic<Int>(0)

    init<Names: Sequence>(commandNames: Names) where Names.Element == String {
        var counters: [String: CommandCounter] = [ServerStatistics.rejected: CommandCounter()]
        for name in commandNames { counters[name] = CommandCounter() }
        self.counters = counters
    }

    func recordCommand(_ name: String, micros: Int, failed: Bool) {
        commands.wrappingAdd(1, ordering: .relaxed)
        if failed { errors.wrappingAdd(1, ordering: .relaxed) }
        guard let counter = counters[name] else { return }
        counter.calls.wrappingAdd(1, ordering: .relaxed)
        counter.micros.wrappingAdd(micros, ordering: .relaxed)
    }

    /// Adds one request's stage times to the totals INFO shows.
    func recordStages(_ stages: StageTimings) {
        if stages.decodeMicros > 0 || stages.encodeMicros > 0 {
            encodedRequests.wrappingAdd(1, ordering: .relaxed)
            decodeMicros.wrappingAdd(stages.decodeMicros, ordering: .relaxed)
            encodeMicros.wrappingAdd(stages.encodeMicros, ordering: .relaxed)
        }
        if stages.searchMicros > 0 {
            searches.wrappingAdd(1, ordering: .relaxed)
            searchMicros.wrappingAdd(stages.searchMicros, ordering: .relaxed)
        }
    }

    /// Requests with an encoded input and searches, with their total microseconds per stage.
    var stageTotals: (encoded: Int, decodeMicros: Int, encodeMicros: Int, searches: Int, searchMicros: Int) {
        (encodedRequests.load(ordering: .relaxed), decodeMicros.load(ordering: .relaxed),
         encodeMicros.load(ordering: .relaxed), searches.load(ordering: .relaxed), searchMicros.load(ordering: .relaxed))
    }

    func recordProtocolError() { protocolErrors.wrappingAdd(1, ordering: .relaxed) }

    func beginCommand() { inFlight.wrappingAdd(1, ordering: .relaxed) }
    func endCommand() { inFlight.wrappingSubtract(1, ordering: .relaxed) }

    /// Commands running on workers now.
    var commandsInFlight: Int { inFlight.load(ordering: .relaxed) }

    /// Totals, and calls and microseconds of every command called at least once.
    var snapshot: (commands: Int, errors: Int, protocolErrors: Int, perCommand: [String: (calls: Int, micros: Int)]) {
        var perCommand: [String: (calls: Int, micros: Int)] = [:]
        for (name, counter) in counters {
            let calls = counter.calls.load(ordering: .relaxed)
            if calls > 0 { perCommand[name] = (calls, counter.micros.load(ordering: .relaxed)) }
        }
        return (commands.load(ordering: .relaxed), errors.load(ordering: .relaxed),
                protocolErrors.load(ordering: .relaxed), perCommand)
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
