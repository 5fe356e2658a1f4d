import Foundation
import LarderLog
import LarderTestSupport
@testable import LarderStorage

/// Deterministic vectors for storage tests.
struct VectorFactory {
    var generator: SeededGenerator
    let dimension: Int

    init(dimension: Int, seed: UInt64 = 11) {
        self.dimension = dimension
        generator = SeededGenerator(seed: seed)
    }

    mutating func next() -> [Float] {
        (0..<dimension).map { _ in Float.random(in: -1...1, using: &generator) }
    }
}

/// Routes log lines into memory for the duration of `body`, then restores the previous sink.
func capturingLogs<T>(_ body: () throws -> T) rethrows -> (T, [String]) {
    let sink = MemorySink()
    let previous = LogSystem.sink
    LogSystem.sink = sink
    defer { LogSystem.sink = previous }
    let value = try body()
    return (value, sink.lines)
}

/// The directory of the only collection in a store directory.
func collectionDirectory(in store: URL) throws -> String {
    let entries = try FileManager.default.contentsOfDirectory(atPath: store.path).filter { $0.hasPrefix("c-") }
    precondition(entries.count == 1, "expected one collection directory, found \(entries)")
    return store.path + "/" + entries[0]
}
