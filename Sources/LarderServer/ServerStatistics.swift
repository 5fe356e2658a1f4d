import Foundation
import Synchronization

/// Calls and total microseconds of one command.
final class CommandCounter: Sendable {
    let calls = Atomic<Int>(0)
    let micros = Atomic<Int>(0)
}

/// Calls of one command counted by a session and added to the shared
/// `CommandCounter` in one step, so a pipelined burst of the same command on
/// one I/O thread costs two atomic additions rather than two per request.
struct CommandTally {
    private var counter: CommandCounter?
    private var calls = 0
    private var micros = 0

    /// Counts one call. A call of another command first flushes the pending ones.
    mutating func add(_ counter: CommandCounter, micros: Int) {
        if self.counter !== counter {
            flush()
            self.counter = counter
        }
        calls += 1
        self.micros += micros
    }

    /// Adds the pending calls to the shared counter.
    mutating func flush() {
        guard let counter, calls > 0 else { return }
        counter.calls.wrappingAdd(calls, ordering: .relaxed)
        counter.micros.wrappingAdd(micros, ordering: .relaxed)
        calls = 0
        micros = 0
    }
}

/// Counters shown by INFO stats, updated from every thread. Atomics rather
/// than a lock, because every request updates them on the hot path.
final class ServerStatistics: Sendable {
    /// Name under which rejected requests (unknown command, wrong arity, no auth) are counted.
    static let rejected = "(rejected)"

    /// The counters of each command name, one per table. The dictionary never changes after init.
    private let counters: [String: [CommandCounter]]
    /// The counter of rejected requests, also in `counters`.
    private let rejectedCounter = CommandCounter()
    private let errors = Atomic<Int>(0)
    private let protocolErrors = Atomic<Int>(0)
    private let inFlight = Atomic<Int>(0)
    private let decodeMicros = Atomic<Int>(0)
    private let encodeMicros = Atomic<Int>(0)
    private let searchMicros = Atomic<Int>(0)
    private let encodedRequests = Atomic<Int>(0)
    private let searches = Atomic<Int>(0)

    /// Creates the statistics over the counters of every command spec of every table.
    init(tables: [CommandTable]) {
        var counters: [String: [CommandCounter]] = [ServerStatistics.rejected: [rejectedCounter]]
        for table in tables {
            for (name, spec) in table.specs { counters[name, default: []].append(spec.counter) }
        }
        self.counters = counters
    }

    /// Counts one call of the command that owns `counter` at once.
    func recordCommand(_ counter: CommandCounter, micros: Int, failed: Bool) {
        if failed { recordFailure() }
        counter.calls.wrappingAdd(1, ordering: .relaxed)
        counter.micros.wrappingAdd(micros, ordering: .relaxed)
    }

    /// Counts one error reply; the call itself is counted by `recordCommand` or a `CommandTally`.
    func recordFailure() { errors.wrappingAdd(1, ordering: .relaxed) }

    /// Counts a request rejected before it ran (unknown command, wrong arity, no auth).
    func recordRejected() {
        recordCommand(rejectedCounter, micros: 0, failed: true)
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
        // The total is the sum of the per-command calls: one shared counter
        // more would be one more cache line that every I/O thread writes per request.
        var total = 0
        for (name, shards) in counters {
            let calls = shards.reduce(0) { $0 + $1.calls.load(ordering: .relaxed) }
            total += calls
            if calls > 0 { perCommand[name] = (calls, shards.reduce(0) { $0 + $1.micros.load(ordering: .relaxed) }) }
        }
        return (total, errors.load(ordering: .relaxed),
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
