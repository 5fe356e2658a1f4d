import Foundation
import XCTest
@testable import LarderWorker

final class DynamicBatcherTests: XCTestCase {
    /// Squares each input and records the size of every batch it was given.
    private final class SquaringProcess: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var batchSizes: [Int] = []
        let delay: Double

        init(delay: Double = 0) { self.delay = delay }

        func callAsFunction(_ inputs: [Int]) -> [Result<Int, any Error>] {
            lock.lock()
            batchSizes.append(inputs.count)
            lock.unlock()
            if delay > 0 { Thread.sleep(forTimeInterval: delay) }
            return inputs.map { .success($0 * $0) }
        }
    }

    func testConcurrentCallersGetTheirOwnResults() throws {
        let process = SquaringProcess(delay: 0.002)
        let batcher = DynamicBatcher<Int, Int>(
            configuration: BatcherConfiguration(maxBatchSize: 16, maxWait: 0.01, queueCapacity: 1000, workers: 2)
        ) { process($0) }
        let lock = NSLock()
        nonisolated(unsafe) var results = [Int](repeating: -1, count: 400)
        // 16 client threads, more than the cores, so requests overlap in the queue.
        let group = DispatchGroup()
        for client in 0..<16 {
            group.enter()
            Thread.detachNewThread {
                for index in stride(from: client, to: 400, by: 16) {
                    let value = (try? batcher.submitAndWait(index)) ?? -1
                    lock.lock()
                    results[index] = value
                    lock.unlock()
                }
                group.leave()
            }
        }
        group.wait()
        for index in 0..<400 {
            XCTAssertEqual(results[index], index * index, "input \(index)")
        }
        let statistics = batcher.statistics
        XCTAssertEqual(statistics.processed, 400)
        XCTAssertGreaterThan(statistics.largestBatch, 1, "concurrent requests were never batched")
        XCTAssertLessThanOrEqual(statistics.largestBatch, 16)
    }

    func testSingleRequestWaitsAtMostMaxWait() throws {
        let batcher = DynamicBatcher<Int, Int>(
            configuration: BatcherConfiguration(maxBatchSize: 64, maxWait: 0.02, queueCapacity: 10, workers: 1)
        ) { inputs in inputs.map { .success($0 + 1) } }
        let start = Date()
        XCTAssertEqual(try batcher.submitAndWait(41), 42)
        XCTAssertLessThan(Date().timeIntervalSince(start), 1.0, "a lone request should be released after maxWait")
    }

    func testFullQueueThrowsBusy() throws {
        let gate = NSCondition()
        let gateState = GateState()
        let batcher = DynamicBatcher<Int, Int>(
            configuration: BatcherConfiguration(maxBatchSize: 1, maxWait: 0, queueCapacity: 2, workers: 1)
        ) { inputs in
            gate.lock()
            while !gateState.open { gate.wait() }
            gate.unlock()
            return inputs.map { .success($0) }
        }
        // The worker takes the first request and blocks on it, so two more fill the queue.
        try batcher.submit(0) { _ in }
        Thread.sleep(forTimeInterval: 0.05)
        try batcher.submit(1) { _ in }
        try batcher.submit(2) { _ in }
        XCTAssertThrowsError(try batcher.submit(3) { _ in }) { error in
            XCTAssertEqual(error as? BatcherError, .busy(capacity: 2))
        }
        XCTAssertEqual(batcher.statistics.rejected, 1)
        gate.lock()
        gateState.open = true
        gate.broadcast()
        gate.unlock()
        batcher.shutdown()
        XCTAssertEqual(batcher.statistics.processed, 3)
    }

    func testErrorsReachOnlyTheirCaller() {
        struct Odd: Error {}
        let batcher = DynamicBatcher<Int, Int>(
            configuration: BatcherConfiguration(maxBatchSize: 8, maxWait: 0.01, workers: 1)
        ) { inputs in inputs.map { $0 % 2 == 1 ? .failure(Odd()) : .success($0) } }
        XCTAssertEqual(try batcher.submitAndWait(4), 4)
        XCTAssertThrowsError(try batcher.submitAndWait(3)) { error in
            XCTAssertTrue(error is Odd)
        }
    }

    func testSubmitAfterShutdownThrows() {
        let batcher = DynamicBatcher<Int, Int>(configuration: BatcherConfiguration()) { inputs in
            inputs.map { .success($0) }
        }
        batcher.shutdown()
        XCTAssertThrowsError(try batcher.submit(1) { _ in }) { error in
            XCTAssertEqual(error as? BatcherError, .shutDown)
        }
    }
}

/// Whether the blocked test worker may go on; read and written under the test's lock.
private final class GateState: @unchecked Sendable {
    var open = false
}
