import XCTest
import LarderTestSupport
@testable import LarderStorage

final class ManifestTests: XCTestCase {
    private func sample() -> Manifest {
        Manifest(collectionName: "recipes", dimension: 128, metric: "cosine", quantization: "int8", m: 16,
                 efConstruction: 200, walGeneration: 3, nextSequence: 1234, nextSegmentNumber: 9,
                 segments: [.init(number: 4, elementCount: 1000, fileSize: 52_000),
                            .init(number: 8, elementCount: 10, fileSize: 900)],
                 deletions: [4: ["a", "b"]])
    }

    func testRoundTripThroughFile() throws {
        let directory = try TemporaryDirectory()
        try sample().write(directory: directory.url.path)
        XCTAssertEqual(try Manifest.read(directory: directory.url.path), sample())
        XCTAssertFalse(FileSystem.fileExists(directory.url.path + "/MANIFEST.tmp"))
    }

    func testEveryFlipAndTruncationIsRejected() throws {
        let bytes = sample().encoded()
        for position in 0..<bytes.count {
            var damaged = bytes
            damaged[position] ^= 0x01
            XCTAssertThrowsError(try Manifest.decode(damaged, file: "M"), "flip at \(position)") { error in
                guard case StorageError.corrupt(let file, _, _) = error else { return XCTFail("flip at \(position): \(error)") }
                XCTAssertEqual(file, "M")
            }
        }
        for length in 0..<bytes.count {
            XCTAssertThrowsError(try Manifest.decode(Array(bytes[..<length]), file: "M"), "truncated at \(length)") { error in
                guard case StorageError.corrupt = error else { return XCTFail("truncated at \(length): \(error)") }
            }
        }
    }

    func testUnknownVersionIsRejected() throws {
        var bytes = sample().encoded()
        bytes[8] = 2
        let end = bytes.count - 4
        bytes.replaceSubrange(end..., with: withUnsafeBytes(of: CRC32C.checksum(bytes, range: 0..<end).littleEndian) { Array($0) })
        XCTAssertThrowsError(try Manifest.decode(bytes, file: "M")) { error in
            XCTAssertEqual(error as? StorageError, .unsupportedVersion(file: "M", found: 2, supported: 1))
        }
    }
}
