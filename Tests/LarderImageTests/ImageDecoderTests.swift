import Foundation
import LarderImage
import LarderTensor
import LarderTestSupport
import LarderWeights
import XCTest

final class ImageDecoderTests: XCTestCase {
    private let fixtures = SharedData.packageRoot.appendingPathComponent("Tests/LarderImageTests/Fixtures")
    private let decoder = ImageDecoder()

    /// Pixels Pillow decoded for each fixture (`ImageOps.exif_transpose(...).convert("RGB")`), as `[H, W, 3]`.
    private func expectedPixels() throws -> [String: Tensor] {
        try TorchCheckpoint(contentsOf: fixtures.appendingPathComponent("decoded.pt")).tensors
    }

    /// Compares a decoded image with Pillow's pixels; JPEG and lossy WebP decoders may round differently.
    private func assertMatches(_ name: String, tolerance: Int, expected: [String: Tensor],
                               file: StaticString = #filePath, line: UInt = #line) throws {
        let image = try decoder.decode(contentsOf: fixtures.appendingPathComponent(name))
        let reference = try XCTUnwrap(expected[name], "no expected pixels for \(name)")
        XCTAssertEqual([image.height, image.width, 3], reference.shape, name, file: file, line: line)
        guard [image.height, image.width, 3] == reference.shape else { return }
        let worst = zip(image.pixels, reference.scalars).map { abs(Int($0) - Int($1)) }.max() ?? 0
        XCTAssertLessThanOrEqual(worst, tolerance, "\(name): largest channel difference from Pillow", file: file, line: line)
    }

    func testLosslessFormatsMatchPillowExactly() throws {
        let expected = try expectedPixels()
        for name in ["rgb.png", "gray.png", "rgba.png", "gray-alpha.png", "palette.png", "lossless.webp", "alpha.webp"] {
            try assertMatches(name, tolerance: 0, expected: expected)
        }
    }

    func testLossyFormatsMatchPillowClosely() throws {
        let expected = try expectedPixels()
        for name in ["rgb.jpg", "gray.jpg", "cmyk.jpg", "lossy.webp"] {
            try assertMatches(name, tolerance: 3, expected: expected)
        }
    }

    func testExifOrientationApplied() throws {
        let expected = try expectedPixels()
        for orientation in 1...8 {
            try assertMatches("orientation-\(orientation).jpg", tolerance: 3, expected: expected)
        }
        try assertMatches("orientation-6.png", tolerance: 0, expected: expected)
        try assertMatches("orientation-8.webp", tolerance: 0, expected: expected)
        // Orientations 5 to 8 swap width and height of the 13x9 original.
        let turned = try decoder.decode(contentsOf: fixtures.appendingPathComponent("orientation-6.jpg"))
        XCTAssertEqual(turned.width, 9)
        XCTAssertEqual(turned.height, 13)
    }

    func testTruncatedFilesRejected() throws {
        for name in ["rgb.jpg", "rgb.png", "lossy.webp", "lossless.webp", "cmyk.jpg"] {
            let bytes = [UInt8](try Data(contentsOf: fixtures.appendingPathComponent(name)))
            for length in [0, 3, 20, bytes.count / 2, bytes.count - 20] {
                XCTAssertThrowsError(try decoder.decode(Array(bytes.prefix(length))), "\(name) cut to \(length) bytes")
            }
        }
    }

    func testUnknownFormatRejected() {
        XCTAssertThrowsError(try decoder.decode(Array("GIF89a not supported".utf8))) { error in
            XCTAssertEqual(error as? ImageDecodingError, .unsupportedFormat)
        }
    }

    func testDecompressionBombRejectedBeforeDecoding() throws {
        let small = ImageDecoder(maximumPixels: 100)
        for name in ["rgb.jpg", "rgb.png", "lossless.webp"] {
            XCTAssertThrowsError(try small.decode(contentsOf: fixtures.appendingPathComponent(name))) { error in
                XCTAssertEqual(error as? ImageDecodingError, .tooLarge(width: 13, height: 9, limit: 100), name)
            }
        }
        // A PNG claiming 60000 x 60000 pixels, with an empty IDAT chunk.
        var header: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]
        header += Array("IHDR".utf8) + [0, 0, 0xEA, 0x60, 0, 0, 0xEA, 0x60, 8, 2, 0, 0, 0]
        header += crc32(Array(header[12...]))
        header += [0, 0, 0, 0] + Array("IDAT".utf8) + crc32(Array("IDAT".utf8))
        header += [0, 0, 0, 0] + Array("IEND".utf8) + crc32(Array("IEND".utf8))
        XCTAssertThrowsError(try decoder.decode(header)) { error in
            XCTAssertEqual(error as? ImageDecodingError, .tooLarge(width: 60000, height: 60000, limit: 50_000_000))
        }
    }

    /// Every photo of the shared data set decodes; corrupted copies fail with a typed error or decode, never crash.
    func testSharedPhotosDecode() throws {
        let data = try SharedData.require()
        let root = data.appendingPathComponent("images")
        let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)!
            .compactMap { $0 as? URL }.filter { ["jpg", "jpeg", "png", "webp"].contains($0.pathExtension.lowercased()) }
        XCTAssertGreaterThan(files.count, 100)
        var generator = SeededGenerator(seed: 9)
        for (index, file) in files.enumerated() {
            let bytes = [UInt8](try Data(contentsOf: file))
            let image = try decoder.decode(bytes)
            XCTAssertGreaterThan(image.width, 0, file.path)
            XCTAssertGreaterThan(image.height, 0, file.path)
            guard index % 8 == 0 else { continue }
            XCTAssertThrowsError(try decoder.decode(Array(bytes.prefix(bytes.count / 2))), "truncated \(file.lastPathComponent)")
            var corrupt = bytes
            for _ in 0..<16 {
                corrupt[Int.random(in: 0..<min(corrupt.count, 4096), using: &generator)] ^= 0x5A
            }
            do {
                _ = try decoder.decode(corrupt)
            } catch {
                XCTAssertTrue(error is ImageDecodingError, "\(file.lastPathComponent): \(error)")
            }
        }
    }

    private func crc32(_ bytes: [UInt8]) -> [UInt8] {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        crc ^= 0xFFFF_FFFF
        return [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)]
    }
}

final class ImagePreprocessorTests: XCTestCase {
    private let fixtures = SharedData.packageRoot.appendingPathComponent("Tests/LarderImageTests/Fixtures")

    func testMatchesTorchvisionFloatPipeline() throws {
        let expected = try TorchCheckpoint(contentsOf: fixtures.appendingPathComponent("preprocess.pt")).tensors
        let image = try ImageDecoder().decode(contentsOf: fixtures.appendingPathComponent("noise.png"))
        for (name, shorter, crop) in [("down-40-32", 40, 32), ("up-80-64", 80, 64), ("down-33-33", 33, 33)] {
            let reference = try XCTUnwrap(expected[name])
            let tensor = ImagePreprocessor(shorterSide: shorter, cropSize: crop).tensor(for: image)
            XCTAssertEqual(tensor.shape, reference.shape, name)
            let worst = zip(tensor.scalars, reference.scalars).map { abs($0 - $1) }.max() ?? .infinity
            XCTAssertLessThan(worst, 1e-4, name)
        }
    }

    func testResizedSizeTruncatesLongerSide() {
        let preprocessor = ImagePreprocessor(shorterSide: 256, cropSize: 224)
        XCTAssertEqual(preprocessor.resizedSize(width: 500, height: 333).width, 384)
        XCTAssertEqual(preprocessor.resizedSize(width: 500, height: 333).height, 256)
        XCTAssertEqual(preprocessor.resizedSize(width: 300, height: 451).height, 384)
    }
}
