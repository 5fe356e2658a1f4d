import XCTest
import LarderTestSupport
@testable import LarderStorage

final class CodecTests: XCTestCase {
    func testCRC32CCheckValue() {
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), CRC32C.checkValue)
        XCTAssertEqual(CRC32C.referenceChecksum(Array("123456789".utf8)), CRC32C.checkValue)
    }

    func testCRC32CKnownVectors() {
        // Test vectors from RFC 3720 appendix B.4.
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0, count: 32)), 0x8A91_36AA)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)), 0x62A8_AB43)
        XCTAssertEqual(CRC32C.checksum((0..<32).map { UInt8($0) }), 0x46DD_794E)
        XCTAssertEqual(CRC32C.checksum((0..<32).map { UInt8(31 - $0) }), 0x113F_DB5C)
    }

    func testCRC32CSlicingMatchesReference() {
        var generator = SeededGenerator(seed: 7)
        for length in [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1000, 4099] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            XCTAssertEqual(CRC32C.checksum(bytes), CRC32C.referenceChecksum(bytes), "length \(length)")
        }
    }

    func testCRC32CContinuation() {
        let bytes = Array("the quick brown fox jumps over the lazy dog".utf8)
        let split = CRC32C.checksum(Array(bytes[20...]), continuing: CRC32C.checksum(Array(bytes[..<20])))
        XCTAssertEqual(split, CRC32C.checksum(bytes))
    }

    func testLZ4RoundTrip() {
        var generator = SeededGenerator(seed: 3)
        let repetitive = [UInt8](repeating: 42, count: 10_000)
        let random = (0..<5000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for input in [[], [1], repetitive, random] {
            let compressed = LZ4Block.compress(input)
            XCTAssertEqual(LZ4Block.decompress(compressed[...], originalCount: input.count), input)
        }
        XCTAssertLessThan(LZ4Block.compress(repetitive).count, 200)
    }

    func testLZ4RejectsWrongSizeAndGarbage() {
        let input = Array("hello hello hello hello hello".utf8)
        let compressed = LZ4Block.compress(input)
        XCTAssertNil(LZ4Block.decompress(compressed[...], originalCount: input.count + 1))
        XCTAssertNil(LZ4Block.decompress(compressed[...], originalCount: input.count - 1))
        XCTAssertNil(LZ4Block.decompress([0xFF, 0xFF, 0xFF][...], originalCount: 100))
    }

    func testByteShuffleRoundTrip() {
        let floats: [Float] = [1.5, -2.25, 3.0, 0.001, 1e9]
        let shuffled = floats.withUnsafeBytes { ByteShuffle.shuffle($0, width: 4) }
        XCTAssertNotEqual(shuffled, floats.withUnsafeBytes { Array($0) })
        XCTAssertEqual(shuffled[0], floats.withUnsafeBytes { $0[0] })
        XCTAssertEqual(shuffled[1], floats.withUnsafeBytes { $0[4] })
        XCTAssertEqual(ByteShuffle.unshuffle(shuffled, width: 4), floats.withUnsafeBytes { Array($0) })
    }

    func testVarintRoundTrip() throws {
        let values: [UInt64] = [0, 1, 127, 128, 300, 16_383, 16_384, UInt64(UInt32.max), UInt64.max]
        var writer = ByteWriter()
        for value in values { writer.appendVarint(value) }
        var reader = ByteReader(writer.bytes, file: "memory")
        for value in values { XCTAssertEqual(try reader.readVarint(), value) }
        XCTAssertTrue(reader.isAtEnd)
    }

    func testVarintRejectsOverlongEncoding() {
        var reader = ByteReader([UInt8](repeating: 0xFF, count: 11), file: "memory")
        XCTAssertThrowsError(try reader.readVarint()) { error in
            guard case StorageError.corrupt(let file, let offset, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(file, "memory")
            XCTAssertEqual(offset, 0)
        }
    }

    func testReaderReportsAbsoluteOffset() {
        var reader = ByteReader([1, 2], file: "f", baseOffset: 100)
        XCTAssertEqual(try reader.readUInt8(), 1)
        XCTAssertThrowsError(try reader.readUInt32()) { error in
            XCTAssertEqual(error as? StorageError, .corrupt(file: "f", offset: 101, reason: "32-bit integer needs 4 bytes but only 1 remain"))
        }
    }
}
