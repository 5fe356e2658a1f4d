import Foundation
import LarderModels
import LarderTensor
import LarderTestSupport
import XCTest
@testable import LarderWorker

final class ImageEncodingTests: XCTestCase {
    private static let photoFolder = SharedData.packageRoot.appendingPathComponent("Tests/LarderImageTests/Fixtures")

    /// EfficientNet-Lite0 with its ImageNet weights and a seeded random 8-d projection.
    private func makeEncoder() throws -> ImageEncoder {
        let kind = ImageBackboneKind.efficientNetLite0
        guard FileManager.default.fileExists(atPath: kind.cachedWeightsURL.path) else {
            throw XCTSkip("EfficientNet-Lite0 weights not cached at \(kind.cachedWeightsURL.path); run scripts/fetch-backbone.sh lite0")
        }
        let backbone = try kind.loadPretrained()
        var generator = SeededGenerator(seed: 3)
        let weight = Tensor(shape: [8, backbone.featureSize],
                            scalars: (0..<(8 * backbone.featureSize)).map { _ in Float.random(in: -0.05...0.05, using: &generator) })
        return ImageEncoder(backbone: backbone, projection: Linear(weight: weight, bias: Tensor(shape: [8])))
    }

    func testBatchedPhotosMatchOneAtATime() throws {
        let encoder = try makeEncoder()
        let model = try EncoderWorkerTests.makeModel()
        let photos = try ["rgb.jpg", "rgba.png", "lossy.webp", "gray.jpg"].map {
            [UInt8](try Data(contentsOf: Self.photoFolder.appendingPathComponent($0)))
        }

        let single = EncoderWorker(model: model, imageEncoder: encoder,
                                   batching: BatcherConfiguration(maxBatchSize: 1, maxWait: 0))
        let expected = try photos.map { try single.encodeImage(bytes: $0).vector }
        single.shutdown()

        let batched = EncoderWorker(model: model, imageEncoder: encoder,
                                    batching: BatcherConfiguration(maxBatchSize: 8, maxWait: 0.05))
        let lock = NSLock()
        nonisolated(unsafe) var results: [Int: [Float]] = [:]
        let group = DispatchGroup()
        for client in 0..<8 {
            group.enter()
            Thread.detachNewThread {
                let vector = try? batched.encodeImage(bytes: photos[client % photos.count]).vector
                lock.lock()
                results[client] = vector
                lock.unlock()
                group.leave()
            }
        }
        group.wait()
        XCTAssertGreaterThan(batched.imageStatistics?.largestBatch ?? 0, 1, "concurrent photos were never batched")
        for client in 0..<8 {
            let vector = try XCTUnwrap(results[client], "client \(client) got no vector")
            XCTAssertEqual(vector.count, 8)
            for (got, want) in zip(vector, expected[client % photos.count]) {
                XCTAssertEqual(got, want, accuracy: 1e-4, "client \(client)")
            }
        }
        batched.shutdown()
    }

    func testBadPhotosAreRejected() throws {
        let worker = EncoderWorker(model: try EncoderWorkerTests.makeModel(), imageEncoder: try makeEncoder())
        defer { worker.shutdown() }
        let jpeg = [UInt8](try Data(contentsOf: Self.photoFolder.appendingPathComponent("rgb.jpg")))
        let cases: [(String, [UInt8])] = [
            ("empty", []),
            ("text", Array("hello, not a photo".utf8)),
            ("truncated jpeg", Array(jpeg.prefix(jpeg.count / 2))),
        ]
        for (name, bytes) in cases {
            XCTAssertThrowsError(try worker.encodeImage(bytes: bytes), name) { error in
                guard case .invalidImage = error as? EncoderInputError else {
                    return XCTFail("\(name): expected invalidImage, got \(error)")
                }
            }
        }
    }

    func testRecipeOnlyModelRejectsPhotos() throws {
        let worker = EncoderWorker(model: try EncoderWorkerTests.makeModel())
        defer { worker.shutdown() }
        XCTAssertThrowsError(try worker.encodeImage(bytes: [0xFF, 0xD8])) { error in
            XCTAssertEqual(error as? EncoderInputError, .noImageEncoder)
        }
    }
}
