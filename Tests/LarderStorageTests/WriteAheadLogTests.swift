import XCTest
import LarderLog
import LarderTestSupport
@testable import LarderStorage

final class WriteAheadLogTests: XCTestCase {
    private let logger = Logger(label: "wal-test")

    private func sampleRecords() -> [WALRecord] {
        [
            WALRecord(sequence: 1, operation: .upsert(id: "a", vector: [1, 2, 3], attributes: #"{"x":1}"#)),
            WALRecord(sequence: 2, operation: .upsert(id: "b", vector: [0.5, -1, 7], attributes: nil)),
            WALRecord(sequence: 3, operation: .setAttributes(id: "a", attributes: nil)),
            WALRecord(sequence: 4, operation: .delete(id: "b")),
            WALRecord(sequence: 5, operation: .setAttributes(id: "a", attributes: "{}")),
        ]
    }

    /// Writes the sample records and returns the file path and each record's end offset.
    private func writeSample(in directory: URL, policy: FsyncPolicy = .always) throws -> (String, [Int]) {
        let wal = try WriteAheadLog(directory: directory.path, generation: 1, validLength: nil, policy: policy, logger: logger)
        var ends: [Int] = []
        for record in sampleRecords() {
            try wal.waitUntilDurable(try wal.append(record))
            ends.append(wal.position.length)
        }
        try wal.close()
        return (WriteAheadLog.path(directory: directory.path, generation: 1), ends)
    }

    func testRecordsRoundTrip() throws {
        let directory = try TemporaryDirectory()
        let (path, ends) = try writeSample(in: directory.url)
        let result = try WALReader.read(path: path, expectedGeneration: 1)
        XCTAssertEqual(result.records, sampleRecords())
        XCTAssertEqual(result.validLength, ends.last)
        XCTAssertEqual(result.droppedBytes, 0)
    }

    func testTruncationAtEveryOffsetKeepsWholeRecords() throws {
        let directory = try TemporaryDirectory()
        let (path, ends) = try writeSample(in: directory.url)
        let original = try FileSystem.readFile(path)
        for length in WALFileHeader.size..<original.count {
            try Data(original[..<length]).write(to: URL(fileURLWithPath: path))
            let result = try WALReader.read(path: path, expectedGeneration: 1)
            let whole = ends.filter { $0 <= length }.count
            XCTAssertEqual(result.records.count, whole, "truncated at \(length)")
            XCTAssertEqual(result.validLength, whole == 0 ? WALFileHeader.size : ends[whole - 1], "truncated at \(length)")
            XCTAssertEqual(result.droppedBytes, length - result.validLength, "truncated at \(length)")
            XCTAssertEqual(result.droppedRecords, result.droppedBytes > 0 ? 1 : 0, "truncated at \(length)")
        }
    }

    func testTruncatedHeaderIsCorrupt() throws {
        let directory = try TemporaryDirectory()
        let (path, _) = try writeSample(in: directory.url)
        let original = try FileSystem.readFile(path)
        for length in 0..<WALFileHeader.size {
            try Data(original[..<length]).write(to: URL(fileURLWithPath: path))
            XCTAssertThrowsError(try WALReader.read(path: path, expectedGeneration: 1), "length \(length)") { error in
                guard case StorageError.corrupt(let file, _, _) = error else { return XCTFail("\(error)") }
                XCTAssertEqual(file, path)
            }
        }
    }

    func testFlippedByteInMiddleIsCorruptionButInLastRecordIsTornTail() throws {
        let directory = try TemporaryDirectory()
        let (path, ends) = try writeSample(in: directory.url)
        let original = try FileSystem.readFile(path)
        let lastStart = ends[ends.count - 2]
        for position in 0..<original.count {
            var damaged = original
            damaged[position] ^= 0x5A
            try Data(damaged).write(to: URL(fileURLWithPath: path))
            do {
                let result = try WALReader.read(path: path, expectedGeneration: 1)
                // Only damage inside the final record may be read as a torn tail.
                XCTAssertGreaterThanOrEqual(position, lastStart, "flip at \(position) dropped data silently")
                XCTAssertEqual(result.records.count, ends.count - 1, "flip at \(position)")
                XCTAssertEqual(result.validLength, lastStart)
            } catch let error as StorageError {
                switch error {
                case .corrupt(let file, let offset, _):
                    XCTAssertEqual(file, path)
                    XCTAssertLessThanOrEqual(offset, max(position + 1, WALFileHeader.size), "flip at \(position)")
                case .unsupportedVersion:
                    XCTAssertTrue((8..<12).contains(position))
                default:
                    XCTFail("unexpected \(error)")
                }
            }
        }
    }

    func testUnknownVersionIsRejected() throws {
        let directory = try TemporaryDirectory()
        let (path, _) = try writeSample(in: directory.url)
        var bytes = try FileSystem.readFile(path)
        bytes[8] = 99
        bytes.replaceSubrange(24..<28, with: withUnsafeBytes(of: CRC32C.checksum(bytes, range: 0..<24).littleEndian) { Array($0) })
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try WALReader.read(path: path, expectedGeneration: 1)) { error in
            XCTAssertEqual(error as? StorageError, .unsupportedVersion(file: path, found: 99, supported: WALFileHeader.version))
        }
    }

    func testReopenAppendsAfterValidLength() throws {
        let directory = try TemporaryDirectory()
        let (path, ends) = try writeSample(in: directory.url)
        var bytes = try FileSystem.readFile(path)
        bytes.append(contentsOf: [9, 9, 9])
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let first = try WALReader.read(path: path, expectedGeneration: 1)
        XCTAssertEqual(first.droppedBytes, 3)
        let wal = try WriteAheadLog(directory: directory.url.path, generation: 1, validLength: first.validLength,
                                    policy: .no, logger: logger)
        let extra = WALRecord(sequence: 6, operation: .delete(id: "a"))
        _ = try wal.append(extra)
        try wal.close()
        let second = try WALReader.read(path: path, expectedGeneration: 1)
        XCTAssertEqual(second.records, sampleRecords() + [extra])
        XCTAssertEqual(second.droppedBytes, 0)
        XCTAssertGreaterThan(second.validLength, ends.last!)
    }

    func testGroupCommitFromManyThreads() throws {
        let directory = try TemporaryDirectory()
        let wal = try WriteAheadLog(directory: directory.url.path, generation: 1, validLength: nil, policy: .always, logger: logger)
        let writers = 8, perWriter = 50
        let sequence = Sequencer()
        DispatchQueue.concurrentPerform(iterations: writers) { writer in
            for i in 0..<perWriter {
                let ticket = sequence.next { number in
                    try! wal.append(WALRecord(sequence: number, operation: .upsert(id: "w\(writer)-\(i)", vector: [Float(i)], attributes: nil)))
                }
                do {
                    try wal.waitUntilDurable(ticket)
                } catch {
                    XCTFail("waitUntilDurable failed: \(error)")
                }
            }
        }
        try wal.close()
        let result = try WALReader.read(path: WriteAheadLog.path(directory: directory.url.path, generation: 1), expectedGeneration: 1)
        XCTAssertEqual(result.records.count, writers * perWriter)
        XCTAssertEqual(Set(result.records.map(\.operation.id)).count, writers * perWriter)
    }

    func testRotateStartsNewGeneration() throws {
        let directory = try TemporaryDirectory()
        let wal = try WriteAheadLog(directory: directory.url.path, generation: 4, validLength: nil, policy: .everysec, logger: logger)
        _ = try wal.append(WALRecord(sequence: 1, operation: .delete(id: "x")))
        XCTAssertEqual(try wal.rotate(), 5)
        _ = try wal.append(WALRecord(sequence: 2, operation: .delete(id: "y")))
        try wal.close()
        let old = try WALReader.read(path: WriteAheadLog.path(directory: directory.url.path, generation: 4), expectedGeneration: 4)
        let new = try WALReader.read(path: WriteAheadLog.path(directory: directory.url.path, generation: 5), expectedGeneration: 5)
        XCTAssertEqual(old.records.map(\.operation.id), ["x"])
        XCTAssertEqual(new.records.map(\.operation.id), ["y"])
        XCTAssertThrowsError(try WALReader.read(path: WriteAheadLog.path(directory: directory.url.path, generation: 5), expectedGeneration: 4))
    }
}

/// Hands out increasing sequence numbers and runs the append under one lock,
/// as the collection's write lock does.
final class Sequencer: @unchecked Sendable {
    private let lock = NSLock()
    private var value: UInt64 = 0

    func next(_ body: (UInt64) -> UInt64) -> UInt64 {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return body(value)
    }
}
