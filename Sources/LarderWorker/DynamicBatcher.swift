import Foundation

// MARK: - Errors

/// An error that kept a request from being queued in a `DynamicBatcher`.
public enum BatcherError: Error, Equatable, CustomStringConvertible {
    /// The queue already contains `capacity` requests, so the caller should retry later.
    case busy(capacity: Int)
    /// The batcher is shutting down and takes no new requests.
    case shutDown

    public var description: String {
        switch self {
        case .busy(let capacity):
            return "encoder queue is full (\(capacity) requests waiting); retry later or raise --encoder-queue"
        case .shutDown:
            return "encoder worker is shutting down"
        }
    }
}

// MARK: - Configuration and statistics

/// Settings of a `DynamicBatcher`.
public struct BatcherConfiguration: Sendable {
    /// Maximum number of requests handed to one `process` call. 1 disables batching.
    public var maxBatchSize: Int
    /// Maximum time, in seconds, the oldest queued request waits for a batch to fill.
    public var maxWait: Double
    /// Maximum number of queued requests. Beyond it, `submit` throws `BatcherError.busy`.
    public var queueCapacity: Int
    /// Number of threads that run `process`, each on its own batch.
    public var workers: Int

    public init(maxBatchSize: Int = 32, maxWait: Double = 0.005, queueCapacity: Int = 1024, workers: Int = 1) {
        precondition(maxBatchSize >= 1, "maxBatchSize must be at least 1, got \(maxBatchSize)")
        precondition(maxWait >= 0, "maxWait must not be negative, got \(maxWait)")
        precondition(queueCapacity >= 1, "queueCapacity must be at least 1, got \(queueCapacity)")
        precondition(workers >= 1, "workers must be at least 1, got \(workers)")
        self.maxBatchSize = maxBatchSize
        self.maxWait = maxWait
        self.queueCapacity = queueCapacity
        self.workers = workers
    }
}

/// Counters of a `DynamicBatcher` since it started.
public struct BatcherStatistics: Sendable, Equatable {
    /// Requests processed (successfully or not).
    public var processed = 0
    /// Calls to the `process` function.
    public var batches = 0
    /// Requests rejected because the queue was full.
    public var rejected = 0
    /// Largest batch so far.
    public var largestBatch = 0
    /// Requests waiting now.
    public var queued = 0

    /// Mean number of requests per `process` call.
    public var meanBatchSize: Double { batches == 0 ? 0 : Double(processed) / Double(batches) }
}

// MARK: - Batcher

/// Groups requests that arrive close together into batches, so one call of an
/// expensive batched function (one BLAS call over many inputs) serves many
/// callers.
///
/// A worker takes a batch as soon as `maxBatchSize` requests are waiting, or
/// when the oldest waiting request has waited `maxWait` seconds, whichever
/// comes first. The queue is bounded: when `queueCapacity` requests wait,
/// `submit` throws `BatcherError.busy` instead of growing.
///
/// Thread safety: every method may be called from any thread.
public final class DynamicBatcher<Input: Sendable, Output: Sendable>: @unchecked Sendable {
    /// The batched function: one result per input, in the same order.
    public typealias Process = @Sendable ([Input]) -> [Result<Output, any Error>]
    /// Receives the result of one request, on a worker thread.
    public typealias Completion = @Sendable (Result<Output, any Error>) -> Void

    private struct Pending {
        let input: Input
        let enqueued: Double
        let completion: Completion
    }

    /// The settings this batcher runs with.
    public let configuration: BatcherConfiguration
    private let process: Process
    private let condition = NSCondition()
    private var queue: [Pending] = []
    private var head = 0
    private var stopping = false
    private var runningWorkers = 0
    private var counters = BatcherStatistics()

    /// Starts `configuration.workers` threads that call `process` on batches.
    public init(configuration: BatcherConfiguration, name: String = "larder-batcher", process: @escaping Process) {
        self.configuration = configuration
        self.process = process
        runningWorkers = configuration.workers
        for index in 0..<configuration.workers {
            let thread = Thread { [self] in self.runWorker() }
            thread.name = "\(name)-\(index)"
            thread.start()
        }
    }

    deinit {
        shutdown()
    }

    // MARK: Submitting

    /// Queues `input`; `completion` runs on a worker thread once its batch is processed.
    /// - Throws: `BatcherError.busy` when the queue is full, `.shutDown` after `shutdown()`.
    public func submit(_ input: Input, completion: @escaping Completion) throws {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping else { throw BatcherError.shutDown }
        guard queue.count - head < configuration.queueCapacity else {
            counters.rejected += 1
            throw BatcherError.busy(capacity: configuration.queueCapacity)
        }
        queue.append(Pending(input: input, enqueued: Self.now(), completion: completion))
        condition.broadcast()
    }

    /// Queues `input` and blocks the calling thread until its result is ready.
    public func submitAndWait(_ input: Input) throws -> Output {
        let box = ResultBox<Output>()
        try submit(input) { result in box.fulfil(result) }
        return try box.wait().get()
    }

    /// Counters since start.
    public var statistics: BatcherStatistics {
        condition.lock()
        defer { condition.unlock() }
        var copy = counters
        copy.queued = queue.count - head
        return copy
    }

    /// Stops taking requests, processes those already queued, and waits for the workers to exit.
    public func shutdown() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while runningWorkers > 0 {
            condition.wait()
        }
        condition.unlock()
    }

    // MARK: Workers

    private func runWorker() {
        while let batch = nextBatch() {
            let results = process(batch.map(\.input))
            for (index, pending) in batch.enumerated() {
                if index < results.count {
                    pending.completion(results[index])
                } else {
                    pending.completion(.failure(BatchSizeMismatch(inputs: batch.count, outputs: results.count)))
                }
            }
        }
        condition.lock()
        runningWorkers -= 1
        condition.broadcast()
        condition.unlock()
    }

    /// Blocks until a batch is due; returns nil when stopping with nothing queued.
    private func nextBatch() -> [Pending]? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            let waiting = queue.count - head
            if waiting == 0 {
                if stopping { return nil }
                condition.wait()
                continue
            }
            let age = Self.now() - queue[head].enqueued
            if waiting >= configuration.maxBatchSize || age >= configuration.maxWait || stopping {
                return takeBatch()
            }
            _ = condition.wait(until: Date(timeIntervalSinceNow: configuration.maxWait - age))
        }
    }

    /// Removes up to `maxBatchSize` requests from the front. Caller holds the lock.
    private func takeBatch() -> [Pending] {
        let end = min(queue.count, head + configuration.maxBatchSize)
        let batch = Array(queue[head..<end])
        head = end
        if head > 1024 && head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
        counters.batches += 1
        counters.processed += batch.count
        counters.largestBatch = max(counters.largestBatch, batch.count)
        return batch
    }

    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

/// The batched function returned fewer results than it was given inputs.
public struct BatchSizeMismatch: Error, CustomStringConvertible {
    /// Inputs handed to the function.
    public let inputs: Int
    /// Results it returned.
    public let outputs: Int

    public var description: String {
        "batched function returned \(outputs) results for \(inputs) inputs"
    }
}

// MARK: - Blocking result

/// A one-shot slot that a completion fills and a waiting thread reads.
final class ResultBox<Output: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var result: Result<Output, any Error>?

    func fulfil(_ value: Result<Output, any Error>) {
        condition.lock()
        result = value
        condition.broadcast()
        condition.unlock()
    }

    func wait() -> Result<Output, any Error> {
        condition.lock()
        defer { condition.unlock() }
        while result == nil {
            condition.wait()
        }
        return result!
    }
}
