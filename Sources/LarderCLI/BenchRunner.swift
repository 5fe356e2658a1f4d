import Foundation
import LarderRESP

#if canImport(Glibc)
import Glibc
#endif

/// Drives one benchmark phase over N connections, each on its own thread.
///
/// - Closed loop (`rate` nil): every connection sends a batch of `depth`
///   requests as soon as the previous batch's replies have arrived. The
///   offered load adapts to the server, and the mean latency is about
///   connections x depth / QPS.
/// - Open loop (`rate` in requests per second): request `i` is due at
///   `start + i / rate`, and connection `i % connections` sends it then (or
///   at once when it is late). Latency runs from the due time, so time spent
///   queued behind a slow reply counts, as in wrk2.
struct BenchRunner {
    let host: String
    let port: Int
    let connections: Int
    let depth: Int
    let rate: Double?
    /// Server process whose CPU time is measured over the phase, if known.
    var serverPID: Int?
    /// Password sent with AUTH on every connection, if the server has one.
    var password: String? = nil

    /// Sends requests `0..<total` built by `request` and gathers latencies,
    /// error replies and, when `recall` returns a value for a reply, its recall.
    func run(total: Int, request: @escaping @Sendable (Int) -> [[UInt8]],
             recall: (@Sendable (Int, RESPValue) -> Double?)? = nil) throws -> BenchResult {
        let collector = LatencyCollector()
        let group = DispatchGroup()
        let cpuBefore = serverPID.flatMap { ProcessCPUTime.seconds(pid: $0) }
        let start = DispatchTime.now().uptimeNanoseconds
        for connectionIndex in 0..<connections {
            group.enter()
            Thread.detachNewThread { [self] in
                defer { group.leave() }
                do {
                    try drive(connectionIndex: connectionIndex, total: total, start: start, collector: collector,
                              request: request, recall: recall)
                } catch {
                    collector.fail(error)
                }
            }
        }
        group.wait()
        if let error = collector.firstError { throw error }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let cpuAfter = serverPID.flatMap { ProcessCPUTime.seconds(pid: $0) }
        var result = collector.result(seconds: seconds)
        if let cpuBefore, let cpuAfter { result.serverCPUSeconds = cpuAfter - cpuBefore }
        return result
    }

    /// Sends one connection's share of the requests and records their replies.
    private func drive(connectionIndex: Int, total: Int, start: UInt64, collector: LatencyCollector,
                       request: (Int) -> [[UInt8]], recall: ((Int, RESPValue) -> Double?)?) throws {
        let connection = try BenchConnection(host: host, port: port, password: password)
        var next = connectionIndex * depth
        while next < total {
            let batch = next..<min(next + depth, total)
            var scheduledAt: UInt64?
            if let rate {
                let due = start + UInt64(Double(batch.lowerBound) / rate * 1e9)
                Self.sleep(until: due)
                scheduledAt = due
            }
            var encoded: [UInt8] = []
            for index in batch { RESPEncoder.encodeCommand(request(index), into: &encoded) }
            let replies = try connection.roundTrip(encoded, count: batch.count, scheduledAt: scheduledAt)
            let recalls = recall.map { score in zip(batch, replies).map { score($0, $1.reply) } } ?? []
            collector.add(replies, recalls: recalls)
            next += connections * depth
        }
    }

    private static func sleep(until uptime: UInt64) {
        let now = DispatchTime.now().uptimeNanoseconds
        guard uptime > now else { return }
        let wait = uptime - now
        var remaining = timespec(tv_sec: Int(wait / 1_000_000_000), tv_nsec: Int(wait % 1_000_000_000))
        var interval = remaining
        while nanosleep(&interval, &remaining) != 0 && errno == EINTR { interval = remaining }
    }
}

/// Latencies, error replies and recall gathered from every benchmark thread.
final class LatencyCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Double] = []
    private var errorReplies = 0
    private var firstErrorReply: String?
    private var recallSum = 0.0
    private var recallCount = 0
    private(set) var firstError: Error?

    func add(_ replies: [(reply: RESPValue, seconds: Double)], recalls: [Double?]) {
        lock.withLock {
            for (reply, seconds) in replies {
                values.append(seconds)
                if case .error(let message) = reply {
                    errorReplies += 1
                    if firstErrorReply == nil { firstErrorReply = message }
                }
            }
            for case let value? in recalls {
                recallSum += value
                recallCount += 1
            }
        }
    }

    func fail(_ error: Error) { lock.withLock { if firstError == nil { firstError = error } } }

    func result(seconds: Double) -> BenchResult {
        lock.withLock {
            BenchResult(seconds: seconds, latencies: values.sorted(), errors: errorReplies,
                        firstErrorReply: firstErrorReply,
                        recall: recallCount > 0 ? recallSum / Double(recallCount) : nil)
        }
    }
}

/// Throughput, latency percentiles and recall of one phase.
struct BenchResult {
    let seconds: Double
    /// Latencies in seconds, ascending.
    let latencies: [Double]
    let errors: Int
    let firstErrorReply: String?
    /// Mean recall@k over the replies that were scored, if any were.
    let recall: Double?
    /// CPU seconds the server process used during the phase, when its id was given.
    var serverCPUSeconds: Double?

    var queriesPerSecond: Double { Double(latencies.count) / seconds }

    /// Returns the latency below which `fraction` of the requests finished, in milliseconds (nearest rank).
    func percentile(_ fraction: Double) -> Double {
        guard !latencies.isEmpty else { return 0 }
        let index = min(latencies.count - 1, Int((Double(latencies.count) * fraction).rounded(.up)) - 1)
        return latencies[max(0, index)] * 1000
    }

    /// Returns one human-readable summary line.
    func line(name: String) -> String {
        var text = name + String(format: ": %d requests in %.2f s, %.0f QPS, latency ms p50 %.3f p95 %.3f p99 %.3f p99.9 %.3f",
                                 latencies.count, seconds, queriesPerSecond,
                                 percentile(0.5), percentile(0.95), percentile(0.99), percentile(0.999))
        if let recall { text += String(format: ", recall %.4f", recall) }
        if let serverCPUSeconds {
            text += String(format: ", server CPU %.3f ms per request", serverCPUSeconds * 1000 / Double(max(1, latencies.count)))
        }
        if errors > 0 { text += ", \(errors) error replies (first: \(firstErrorReply ?? ""))" }
        return text
    }

    /// Returns the figures as one JSON object, with `labels` (target, phase, settings) merged in.
    func json(labels: [String: Any]) throws -> String {
        var object = labels
        object["requests"] = latencies.count
        object["seconds"] = seconds
        object["qps"] = queriesPerSecond
        object["p50_ms"] = percentile(0.5)
        object["p95_ms"] = percentile(0.95)
        object["p99_ms"] = percentile(0.99)
        object["p999_ms"] = percentile(0.999)
        object["errors"] = errors
        if let recall { object["recall"] = recall }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}
