import XCTest
import LarderLog
import LarderTestSupport
import LarderVector
@testable import LarderStorage

/// Damage to each file of a collection: every case opens with the damage cut
/// off and logged (a torn WAL tail) or fails with an error naming the file.
final class RecoveryTests: XCTestCase {
    private let dimension = 8
    private let options = StoreOptions(fsync: .always, memtableLimit: 1_000_000, automaticMaintenance: false)

    /// A store with one sealed segment (20 elements, two deleted) and 10 elements only in the WAL.
    private func makeStore(at url: URL) throws -> String {
        let store = try Store(directory: url, options: options)
        let collection = try store.createCollection(
            named: "damaged", options: CollectionOptions(dimension: dimension, metric: .cosine, quantization: .none, m: 8, efConstruction: 40))
        var vectors = VectorFactory(dimension: dimension)
        for i in 0..<20 { try collection.add(id: "s\(i)", vector: vectors.next(), attributes: "{\"i\":\(i)}") }
        try collection.checkpoint()
        for i in 0..<10 { try collection.add(id: "w\(i)", vector: vectors.next(), attributes: nil) }
        try collection.remove(id: "s0")
        try collection.remove(id: "s1")
        try store.close()
        return try collectionDirectory(in: url)
    }

    private func assertOpenFails(_ url: URL, naming file: String, _ label: String) {
        XCTAssertThrowsError(try Store(directory: url, options: options), label) { error in
            switch error as? StorageError {
            case .corrupt(let path, _, _)?, .unsupportedVersion(let path, _, _)?:
                XCTAssertEqual((path as NSString).lastPathComponent, file, label)
                XCTAssertTrue("\(error)".contains(file), label)
            default:
                XCTFail("\(label): unexpected \(error)")
            }
        }
    }

    func testCleanReopenHasEverything() throws {
        let directory = try TemporaryDirectory()
        _ = try makeStore(at: directory.url)
        let store = try Store(directory: directory.url, options: options)
        let collection = try XCTUnwrap(store.collection(named: "damaged"))
        XCTAssertEqual(collection.count, 28)
        XCTAssertEqual(collection.info().segmentCount, 1)
        XCTAssertEqual(collection.info().memtableCount, 10)
    }

    func testSegmentDamageAtEveryBlockBoundaryNamesTheFile() throws {
        let directory = try TemporaryDirectory()
        let collectionPath = try makeStore(at: directory.url)
        let segmentName = try XCTUnwrap(try FileSystem.contents(of: collectionPath).first { $0.hasSuffix(".lseg") })
        let segmentPath = collectionPath + "/" + segmentName
        let original = try FileSystem.readFile(segmentPath)
        let blocks = try SegmentReader.read(path: segmentPath).blocks
        var boundaries = [0, SegmentFormat.headerSize - 1, original.count - SegmentFormat.trailerSize, original.count - 1]
        for block in blocks {
            boundaries += [block.offset, block.offset + SegmentFormat.blockHeaderSize, block.offset + block.length - 1]
        }
        for position in boundaries {
            var flipped = original
            flipped[position] ^= 0x10
            try Data(flipped).write(to: URL(fileURLWithPath: segmentPath))
            assertOpenFails(directory.url, naming: segmentName, "flip at \(position)")
            try Data(original[..<position]).write(to: URL(fileURLWithPath: segmentPath))
            assertOpenFails(directory.url, naming: segmentName, "truncated at \(position)")
        }
        try Data(original).write(to: URL(fileURLWithPath: segmentPath))
        XCTAssertEqual(try Store(directory: directory.url, options: options).collection(named: "damaged")?.count, 28)
    }

    func testManifestDamageNamesTheFile() throws {
        let directory = try TemporaryDirectory()
        let collectionPath = try makeStore(at: directory.url)
        let manifestPath = collectionPath + "/MANIFEST"
        let original = try FileSystem.readFile(manifestPath)
        for position in 0..<original.count {
            var flipped = original
            flipped[position] ^= 0x01
            try Data(flipped).write(to: URL(fileURLWithPath: manifestPath))
            assertOpenFails(directory.url, naming: "MANIFEST", "flip at \(position)")
        }
        for length in stride(from: 0, to: original.count, by: 7) {
            try Data(original[..<length]).write(to: URL(fileURLWithPath: manifestPath))
            assertOpenFails(directory.url, naming: "MANIFEST", "truncated at \(length)")
        }
    }

    func testManifestVersionMismatchIsClear() throws {
        let directory = try TemporaryDirectory()
        let collectionPath = try makeStore(at: directory.url)
        let manifestPath = collectionPath + "/MANIFEST"
        var bytes = try FileSystem.readFile(manifestPath)
        bytes[8] = 9
        let end = bytes.count - 4
        bytes.replaceSubrange(end..., with: withUnsafeBytes(of: CRC32C.checksum(bytes, range: 0..<end).littleEndian) { Array($0) })
        try Data(bytes).write(to: URL(fileURLWithPath: manifestPath))
        XCTAssertThrowsError(try Store(directory: directory.url, options: options)) { error in
            XCTAssertEqual(error as? StorageError, .unsupportedVersion(file: manifestPath, found: 9, supported: Manifest.version))
            XCTAssertTrue("\(error)".contains("format version 9 but this build reads version 1"))
        }
    }

    func testTornWALTailAtEveryRecordBoundaryIsCutAndLogged() throws {
        let directory = try TemporaryDirectory()
        let collectionPath = try makeStore(at: directory.url)
        let walName = try XCTUnwrap(try FileSystem.contents(of: collectionPath).last { $0.hasPrefix("wal-") })
        let walPath = collectionPath + "/" + walName
        let original = try FileSystem.readFile(walPath)
        let generation = try XCTUnwrap(Collection.walGeneration(fileName: walName))
        let records = try WALReader.read(path: walPath, expectedGeneration: generation)
        XCTAssertEqual(records.records.count, 12)

        // Record ends, found by re-encoding: each cut inside record r keeps records 0..<r.
        var ends: [Int] = []
        var offset = WALFileHeader.size
        for record in records.records {
            offset += record.encoded().count
            ends.append(offset)
        }
        for (index, end) in ends.enumerated() {
            for cut in [end - 1, end - WALRecord.prefixSize, end - 3] where cut > WALFileHeader.size {
                try Data(original[..<cut]).write(to: URL(fileURLWithPath: walPath))
                let (store, lines) = try capturingLogs { try Store(directory: directory.url, options: options) }
                let kept = ends.filter { $0 <= cut }.count
                let collection = try XCTUnwrap(store.collection(named: "damaged"))
                let memtable = records.records[..<kept].reduce(into: Set<String>()) { set, record in
                    if case .upsert(let id, _, _) = record.operation { set.insert(id) }
                }
                let deletions = records.records[..<kept].filter { if case .delete = $0.operation { return true } else { return false } }.count
                XCTAssertEqual(collection.count, 20 + memtable.count - deletions, "cut at \(cut) in record \(index)")
                let warning = lines.first { $0.contains("torn write-ahead log tail") }
                XCTAssertNotNil(warning, "cut at \(cut)")
                XCTAssertTrue(warning?.contains("droppedBytes=\(cut - (kept == 0 ? WALFileHeader.size : ends[kept - 1]))") ?? false,
                              "cut at \(cut): \(warning ?? "")")
                XCTAssertTrue(warning?.contains("droppedRecords=1") ?? false, "cut at \(cut)")
                try store.close()
                // The cut tail is gone from the file, so the next open logs nothing.
                let (_, secondLines) = try capturingLogs { try Store(directory: directory.url, options: options) }
                XCTAssertNil(secondLines.first { $0.contains("torn") }, "cut at \(cut)")
                try Data(original).write(to: URL(fileURLWithPath: walPath))
            }
        }
    }

    func testWALDamageBeforeTheTailNamesTheFile() throws {
        let directory = try TemporaryDirectory()
        let collectionPath = try makeStore(at: directory.url)
        let walName = try XCTUnwrap(try FileSystem.contents(of: collectionPath).last { $0.hasPrefix("wal-") })
        let walPath = collectionPath + "/" + walName
        let original = try FileSystem.readFile(walPath)
        // Flip one byte inside the first record body; intact records follow it.
        for position in [WALFileHeader.size + 2, WALFileHeader.size + 6, WALFileHeader.size + 12] {
            var flipped = original
            flipped[position] ^= 0x40
            try Data(flipped).write(to: URL(fileURLWithPath: walPath))
            assertOpenFails(directory.url, naming: walName, "flip at \(position)")
        }
    }

    func testMissingSegmentFileNamesIt() throws {
        let directory = try TemporaryDirectory()
        let collectionPath = try makeStore(at: directory.url)
        let segmentName = try XCTUnwrap(try FileSystem.contents(of: collectionPath).first { $0.hasSuffix(".lseg") })
        FileSystem.remove(collectionPath + "/" + segmentName)
        XCTAssertThrowsError(try Store(directory: directory.url, options: options)) { error in
            guard case StorageError.io("open", let path, ENOENT)? = error as? StorageError else { return XCTFail("\(error)") }
            XCTAssertTrue(path.hasSuffix(segmentName))
        }
    }
}
