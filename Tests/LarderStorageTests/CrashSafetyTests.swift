import XCTest
import LarderTestSupport
@testable import LarderStorage

/// Kills a writer process with SIGKILL at random moments and checks after each
/// kill that every acknowledged write is present and nothing deleted came back.
final class CrashSafetyTests: XCTestCase {
    private let dimension = 16
    private let cycles = 60

    /// The model of the collection built from the child's journal.
    private struct Model {
        var elements: [String: (version: UInt64, attributes: String)] = [:]

        mutating func apply(_ intent: Intent) {
            switch intent.operation {
            case "add":
                elements[intent.id] = (intent.version, "{\"v\":\(intent.version)}")
            case "del":
                elements[intent.id] = nil
            default:
                if let current = elements[intent.id] {
                    elements[intent.id] = (current.version, "{\"s\":\(intent.version)}")
                }
            }
        }
    }

    private struct Intent {
        var operation: String
        var id: String
        var version: UInt64
    }

    private func writerBinary() throws -> URL {
        let candidates = [Bundle.main.executableURL, URL(fileURLWithPath: CommandLine.arguments[0])]
            .compactMap { $0?.deletingLastPathComponent().appendingPathComponent("LarderCrashWriter") }
            + [Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("LarderCrashWriter")]
        guard let binary = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            XCTFail("LarderCrashWriter not found next to the test bundle (looked in \(candidates.map(\.path))); build it with `swift build --build-tests`")
            throw XCTSkip("crash writer missing")
        }
        return binary
    }

    func testSIGKILLAtRandomPointsLosesNoAcknowledgedWrite() throws {
        let binary = try writerBinary()
        let directory = try TemporaryDirectory()
        let storeURL = directory.url.appendingPathComponent("store")
        let journalPath = directory.url.appendingPathComponent("journal").path
        XCTAssertTrue(FileManager.default.createFile(atPath: journalPath, contents: nil))
        var generator = SeededGenerator(seed: 2026)
        var model = Model()
        var journalOffset = 0
        var acknowledged = 0
        let policies: [FsyncPolicy] = [.always, .everysec, .no]

        for cycle in 0..<cycles {
            let child = Process()
            child.executableURL = binary
            child.arguments = [storeURL.path, journalPath, "\(cycle + 1)", policies[cycle % 3].rawValue]
            let errors = Pipe()
            child.standardError = errors
            try child.run()
            // Every fifth kill may land during recovery; the others wait until the
            // writer has recovered, so each cycle makes progress even in debug builds.
            if cycle % 5 != 4 { try waitForReadyLine(journalPath, after: journalOffset, cycle: cycle) }
            Thread.sleep(forTimeInterval: Double.random(in: 0.02...0.3, using: &generator))
            XCTAssertTrue(child.isRunning, "cycle \(cycle): writer exited early: " +
                          (String(data: errors.fileHandleForReading.availableData, encoding: .utf8) ?? ""))
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()

            // Replay the journal written during this cycle into the model.
            let journal = try FileSystem.readFile(journalPath)
            let text = String(decoding: journal[journalOffset...], as: UTF8.self)
            journalOffset = journal.count
            var pending: Intent?
            for line in text.split(separator: "\n") {
                let fields = line.split(separator: " ")
                if fields.first == "I", fields.count == 4 {
                    XCTAssertNil(pending, "cycle \(cycle): two intents without an acknowledgement")
                    pending = Intent(operation: String(fields[1]), id: String(fields[2]), version: UInt64(fields[3]) ?? 0)
                } else if fields.first == "K", let intent = pending {
                    model.apply(intent)
                    acknowledged += 1
                    pending = nil
                }
            }

            // Reopen and compare every id; the unacknowledged last operation may or may not have happened.
            let store = try Store(directory: storeURL, options: StoreOptions(fsync: .no, automaticMaintenance: false))
            var withPending = model
            if let pending { withPending.apply(pending) }
            let pendingMatches = try verify(store: store, against: withPending, cycle: cycle, reportFailures: false)
            if pending == nil || !pendingMatches {
                _ = try verify(store: store, against: model, cycle: cycle, reportFailures: true)
            } else {
                model = withPending
            }
            try store.close()
        }
        XCTAssertGreaterThan(acknowledged, cycles * 5, "the writer acknowledged too few operations to test anything")
    }

    /// Polls the journal until the writer appends `R` after `offset` (recovery finished).
    private func waitForReadyLine(_ path: String, after offset: Int, cycle: Int) throws {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let journal = try FileSystem.readFile(path)
            if journal.count > offset, journal[offset...].contains(UInt8(ascii: "R")) { return }
            Thread.sleep(forTimeInterval: 0.005)
        }
        XCTFail("cycle \(cycle): the writer did not finish recovery within 30 seconds")
    }

    /// Compares the store with `model`; returns whether everything matched.
    private func verify(store: Store, against model: Model, cycle: Int, reportFailures: Bool) throws -> Bool {
        guard let collection = store.collection(named: "crash") else {
            if reportFailures { XCTAssertTrue(model.elements.isEmpty, "cycle \(cycle): collection missing") }
            return model.elements.isEmpty
        }
        var matches = collection.count == model.elements.count
        if reportFailures { XCTAssertEqual(collection.count, model.elements.count, "cycle \(cycle): element count") }
        for key in 0..<300 {
            let id = "k\(key)"
            let expected = model.elements[id]
            let vector = collection.vector(id: id)
            let attributes = collection.attributes(id: id)
            let expectedVector = expected.map { crashVector(version: $0.version) }
            if vector != expectedVector || attributes != expected?.attributes {
                matches = false
                if reportFailures {
                    XCTFail("cycle \(cycle): \(id) is \(vector == nil ? "absent" : "present") with attributes \(attributes ?? "none"); expected \(expected.map { "version \($0.version) with \($0.attributes)" } ?? "absent")")
                }
            }
        }
        if reportFailures, matches {
            // Deleted elements must not come back through search either.
            let hits = try collection.search([Float](repeating: 0.1, count: dimension), k: 400, exact: true)
            XCTAssertEqual(Set(hits.map(\.id)), Set(model.elements.keys), "cycle \(cycle): search results")
        }
        return matches
    }

    /// Same generator as the writer's `crashTestVector`.
    private func crashVector(version: UInt64) -> [Float] {
        var state = version
        return (0..<dimension).map { _ in
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return Float(z >> 40) / Float(1 << 24) * 2 - 1
        }
    }
}
