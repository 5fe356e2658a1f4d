import XCTest
import LarderHNSW
import LarderTestSupport
import LarderVector
@testable import LarderStorage

final class SegmentTests: XCTestCase {
    private func sampleIndex(count: Int = 200, dimension: Int = 16, metric: DistanceMetric = .cosine) throws -> HNSWIndex {
        let index = HNSWIndex(configuration: HNSWConfiguration(dimension: dimension, metric: metric, m: 8, efConstruction: 40))
        var vectors = VectorFactory(dimension: dimension)
        for i in 0..<count { try index.upsert(id: "item-\(i)", vector: vectors.next()) }
        return index
    }

    private func attributes(for ids: [String]) -> [String?] {
        ids.enumerated().map { $0.offset % 3 == 0 ? nil : #"{"n":\#($0.offset),"tag":"t\#($0.offset % 5)"}"# }
    }

    func testFloatSegmentRoundTripsExactly() throws {
        let directory = try TemporaryDirectory()
        let snapshot = try sampleIndex().exportGraph()
        let path = directory.url.path + "/seg-1.lseg"
        let size = try SegmentWriter.write(snapshot: snapshot, attributes: attributes(for: snapshot.ids),
                                           vectorEncoding: .float32, to: path)
        let contents = try SegmentReader.read(path: path)
        XCTAssertEqual(contents.fileSize, size)
        XCTAssertEqual(contents.snapshot.ids, snapshot.ids)
        XCTAssertEqual(contents.snapshot.vectors, snapshot.vectors)
        XCTAssertEqual(contents.snapshot.norms, snapshot.norms)
        XCTAssertEqual(contents.snapshot.levels, snapshot.levels)
        XCTAssertEqual(contents.snapshot.entryPoint, snapshot.entryPoint)
        XCTAssertEqual(contents.snapshot.maxLevel, snapshot.maxLevel)
        XCTAssertEqual(contents.snapshot.neighbors, snapshot.neighbors.map { $0.map { $0.sorted() } })
        XCTAssertEqual(contents.attributes, attributes(for: snapshot.ids))
        XCTAssertEqual(contents.blocks.map(\.kind), SegmentFormat.BlockKind.allCases)
        XCTAssertNoThrow(try HNSWIndex(snapshot: contents.snapshot))
    }

    func testInt8SegmentIsCloseAndSmaller() throws {
        let directory = try TemporaryDirectory()
        let snapshot = try sampleIndex(metric: .l2).exportGraph()
        let floatSize = try SegmentWriter.write(snapshot: snapshot, attributes: attributes(for: snapshot.ids),
                                                vectorEncoding: .float32, to: directory.url.path + "/f.lseg")
        let int8Size = try SegmentWriter.write(snapshot: snapshot, attributes: attributes(for: snapshot.ids),
                                               vectorEncoding: .int8, to: directory.url.path + "/q.lseg")
        XCTAssertLessThan(int8Size, floatSize)
        let contents = try SegmentReader.read(path: directory.url.path + "/q.lseg")
        for (decoded, original) in zip(contents.snapshot.vectors, snapshot.vectors) {
            XCTAssertEqual(decoded, original, accuracy: 1.0 / 127)
        }
    }

    func testEmptySegmentRoundTrips() throws {
        let directory = try TemporaryDirectory()
        let snapshot = HNSWIndex(configuration: HNSWConfiguration(dimension: 4)).exportGraph()
        let path = directory.url.path + "/empty.lseg"
        _ = try SegmentWriter.write(snapshot: snapshot, attributes: [], vectorEncoding: .float32, to: path)
        let contents = try SegmentReader.read(path: path)
        XCTAssertEqual(contents.snapshot.ids, [])
        XCTAssertNil(contents.snapshot.entryPoint)
    }

    /// Flips a byte at and around every block boundary and truncates there; every
    /// case must raise a typed error naming the file, never crash or load.
    func testCorruptionAtEveryBlockBoundaryIsRejected() throws {
        let directory = try TemporaryDirectory()
        let snapshot = try sampleIndex(count: 60).exportGraph()
        let path = directory.url.path + "/seg-1.lseg"
        _ = try SegmentWriter.write(snapshot: snapshot, attributes: attributes(for: snapshot.ids),
                                    vectorEncoding: .float32, to: path)
        let original = try FileSystem.readFile(path)
        let blocks = try SegmentReader.read(path: path).blocks
        var boundaries = Set([0, SegmentFormat.headerSize, original.count - SegmentFormat.trailerSize, original.count])
        for block in blocks {
            boundaries.insert(block.offset)
            boundaries.insert(block.offset + SegmentFormat.blockHeaderSize)
            boundaries.insert(block.offset + block.length - 4)
            boundaries.insert(block.offset + block.length)
        }
        var positions = Set<Int>()
        for boundary in boundaries {
            for delta in -2...2 where boundary + delta >= 0 && boundary + delta < original.count {
                positions.insert(boundary + delta)
            }
        }
        var cases = 0
        for position in positions.sorted() {
            var flipped = original
            flipped[position] ^= 0x20
            try Data(flipped).write(to: URL(fileURLWithPath: path))
            assertRejected(path, "flip at \(position)")
            cases += 1
        }
        for boundary in boundaries.sorted() where boundary < original.count {
            try Data(original[..<boundary]).write(to: URL(fileURLWithPath: path))
            assertRejected(path, "truncated at \(boundary)")
            cases += 1
        }
        XCTAssertGreaterThan(cases, 40)
    }

    private func assertRejected(_ path: String, _ label: String) {
        XCTAssertThrowsError(try SegmentReader.read(path: path), label) { error in
            switch error as? StorageError {
            case .corrupt(let file, let offset, _)?:
                XCTAssertEqual(file, path, label)
                XCTAssertGreaterThanOrEqual(offset, 0, label)
            case .unsupportedVersion?:
                break
            default:
                XCTFail("\(label): unexpected \(error)")
            }
        }
    }

    func testUnknownVersionIsReported() throws {
        let directory = try TemporaryDirectory()
        let snapshot = try sampleIndex(count: 10).exportGraph()
        let path = directory.url.path + "/seg-1.lseg"
        _ = try SegmentWriter.write(snapshot: snapshot, attributes: attributes(for: snapshot.ids),
                                    vectorEncoding: .float32, to: path)
        var bytes = try FileSystem.readFile(path)
        bytes[8] = 7
        let checksum = CRC32C.checksum(bytes, range: 0..<60)
        bytes.replaceSubrange(60..<64, with: withUnsafeBytes(of: checksum.littleEndian) { Array($0) })
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try SegmentReader.read(path: path)) { error in
            XCTAssertEqual(error as? StorageError, .unsupportedVersion(file: path, found: 7, supported: SegmentFormat.version))
            XCTAssertTrue("\(error)".contains("format version 7"))
        }
    }
}

final class GraphReachabilityTests: XCTestCase {
    func testUnreachableNodeGetsAnIncomingLink() throws {
        let index = HNSWIndex(configuration: HNSWConfiguration(dimension: 8, metric: .l2, m: 4, efConstruction: 20))
        var vectors = VectorFactory(dimension: 8)
        for i in 0..<40 { try index.upsert(id: "n\(i)", vector: vectors.next()) }
        var snapshot = index.exportGraph()
        XCTAssertEqual(GraphReachability.connectUnreachableNodes(&snapshot), 0)

        // Cut every layer-0 link into one node other than the entry point.
        let victim = (0..<snapshot.ids.count).first { $0 != snapshot.entryPoint && snapshot.levels[$0] == 0 }!
        for node in snapshot.neighbors.indices {
            snapshot.neighbors[node][0].removeAll { $0 == UInt32(victim) }
        }
        XCTAssertThrowsError(try HNSWIndex(snapshot: snapshot))

        XCTAssertEqual(GraphReachability.connectUnreachableNodes(&snapshot), 1)
        let repaired = try HNSWIndex(snapshot: snapshot)
        XCTAssertNoThrow(try repaired.checkIntegrity())
        XCTAssertEqual(try repaired.search(index.vector(for: snapshot.ids[victim])!, k: 1).first?.id, snapshot.ids[victim])
    }
}
