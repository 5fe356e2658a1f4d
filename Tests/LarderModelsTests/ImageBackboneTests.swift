import Foundation
import LarderImage
@testable import LarderModels
import LarderTensor
import LarderTestSupport
import LarderWeights
import XCTest

/// Parity of the Swift image backbones with PyTorch (fixtures from tools/make_image_fixtures.py).
final class ImageBackboneTests: XCTestCase {
    private let fixtures = SharedData.packageRoot.appendingPathComponent("Tests/LarderModelsTests/Fixtures")

    private func load(_ name: String) throws -> [String: Tensor] {
        try TorchCheckpoint(contentsOf: fixtures.appendingPathComponent(name)).tensors
    }

    /// Asserts `actual` matches `expected` within 1e-4 relative to the largest expected magnitude.
    private func assertClose(_ actual: Tensor, _ expected: Tensor?, _ message: String,
                             file: StaticString = #filePath, line: UInt = #line) {
        guard let expected else { return XCTFail("\(message): no expected tensor", file: file, line: line) }
        XCTAssertEqual(actual.shape, expected.shape, message, file: file, line: line)
        let scale = max(expected.scalars.map { abs($0) }.max() ?? 0, 1e-6)
        let worst = zip(actual.scalars, expected.scalars).map { abs($0 - $1) }.max() ?? .infinity
        XCTAssertLessThan(worst / scale, 1e-4, "\(message): largest difference \(worst), scale \(scale)", file: file, line: line)
    }

    func testTinyEfficientNetMatchesPyTorch() throws {
        let expected = try load("efficientnet-tiny-expected.pt")
        let configuration = EfficientNetLite.Configuration(width: 0.25, depth: 0.5, cropSize: 48, resizeSize: 48)
        let network = try EfficientNetLite(configuration: configuration, weights: load("efficientnet-tiny-weights.pth"))
        let features = network.features(try XCTUnwrap(expected["input"]))
        assertClose(features, expected["features"], "features")
        assertClose(try XCTUnwrap(network.classify(features)), expected["logits"], "logits")

        let encoder = try ImageEncoder(backbone: network, weights: expected.filter { $0.key.hasPrefix("projection.") }, prefix: "projection.")
        XCTAssertEqual(encoder.outputSize, 16)
        assertClose(encoder.encode(try XCTUnwrap(expected["input"])), expected["encoded"], "projected and tanh")
    }

    func testTinyResNetMatchesPyTorch() throws {
        let expected = try load("resnet-tiny-expected.pt")
        let network = try ResNet50(weights: load("resnet-tiny-weights.pt"), stageWidths: [8, 16, 32, 64], blockCounts: [1, 1, 1, 1])
        XCTAssertEqual(network.featureSize, 256)
        let features = network.features(try XCTUnwrap(expected["input"]))
        assertClose(features, expected["features"], "features")
        assertClose(try XCTUnwrap(network.classify(features)), expected["logits"], "logits")
    }

    func testWrongArchitectureNamesTensors() throws {
        // Lite2 weights for a Lite0 network: stage widths and block counts differ.
        let weights = try load("efficientnet-tiny-weights.pth")
        XCTAssertThrowsError(try EfficientNetLite(configuration: .lite0, weights: weights)) { error in
            guard let mismatch = error as? WeightMismatchError else { return XCTFail("unexpected error \(error)") }
            XCTAssertTrue(mismatch.misshaped.contains { $0.name == "_blocks.0._project_conv.weight" })
            XCTAssertTrue(mismatch.missing.contains { $0.name == "_blocks.15._project_conv.weight" })
        }
    }

    // MARK: - Real ImageNet weights

    /// The input `sin(0.031 (h+1)(c+1)) + 0.5 cos(0.017 (w+3)(n+1))` that the fixture script also builds.
    private func syntheticInput(size: Int) -> Tensor {
        var scalars: [Float] = []
        for c in 0..<3 {
            for h in 0..<size {
                for w in 0..<size {
                    scalars.append(Float(sin(0.031 * Double(h + 1) * Double(c + 1)) + 0.5 * cos(0.017 * Double(w + 3))))
                }
            }
        }
        return Tensor(shape: [1, 3, size, size], scalars: scalars)
    }

    private func pretrained(_ kind: ImageBackboneKind) throws -> EfficientNetLite {
        guard FileManager.default.fileExists(atPath: kind.cachedWeightsURL.path) else {
            throw XCTSkip("\(kind.rawValue) weights not at \(kind.cachedWeightsURL.path); run scripts/fetch-backbone.sh")
        }
        return try XCTUnwrap(try kind.loadPretrained() as? EfficientNetLite)
    }

    func testPretrainedLiteMatchesPyTorch() throws {
        for (kind, name) in [(ImageBackboneKind.efficientNetLite0, "lite0"), (.efficientNetLite2, "lite2")] {
            let network = try pretrained(kind)
            let expected = try load("efficientnet-\(name)-expected.pt")
            let features = network.features(syntheticInput(size: network.configuration.cropSize))
            assertClose(features, expected["features"], "\(name) features")
            assertClose(try XCTUnwrap(network.classify(features)), expected["logits"], "\(name) logits")
        }
    }

    func testPretrainedLiteTop5OnPhotos() throws {
        let data = try SharedData.require()
        let fixture = try Data(contentsOf: fixtures.appendingPathComponent("imagenet-top5.json"))
        let expected = try XCTUnwrap(JSONSerialization.jsonObject(with: fixture) as? [String: [String: [Int]]])
        for (kind, name) in [(ImageBackboneKind.efficientNetLite0, "lite0"), (.efficientNetLite2, "lite2")] {
            let network = try pretrained(kind)
            let photos = try XCTUnwrap(expected[name]).sorted { $0.key < $1.key }
            let images = try photos.map { try ImageDecoder().decode(contentsOf: data.appendingPathComponent($0.key)) }
            let logits = try XCTUnwrap(network.classify(network.features(network.preprocessor.batch(images))))
            let classes = logits.shape[1]
            for (row, (photo, top5)) in photos.enumerated() {
                let scores = logits.scalars[(row * classes)..<((row + 1) * classes)]
                let ranked = scores.indices.sorted { scores[$0] > scores[$1] }.prefix(5).map { $0 - row * classes }
                XCTAssertEqual(ranked.first, top5.first, "\(name) top-1 of \(photo)")
                XCTAssertEqual(Set(ranked), Set(top5), "\(name) top-5 of \(photo)")
            }
        }
    }
}

final class VisionTransformerTests: XCTestCase {
    func testTinyViTMatchesTimm() throws {
        let fixtures = SharedData.packageRoot.appendingPathComponent("Tests/LarderModelsTests/Fixtures")
        let expected = try TorchCheckpoint(contentsOf: fixtures.appendingPathComponent("vit-tiny-expected.pt")).tensors
        let weights = try TorchCheckpoint(contentsOf: fixtures.appendingPathComponent("vit-tiny-weights.pt")).tensors
        let configuration = VisionTransformer.Configuration(imageSize: 32, patchSize: 8, width: 32, depth: 2, headCount: 4, mlpWidth: 64)
        let network = try VisionTransformer(configuration: configuration, weights: weights)
        let features = network.features(try XCTUnwrap(expected["input"]))
        let reference = try XCTUnwrap(expected["features"])
        XCTAssertEqual(features.shape, reference.shape)
        let scale = max(reference.scalars.map { abs($0) }.max() ?? 0, 1e-6)
        let worst = zip(features.scalars, reference.scalars).map { abs($0 - $1) }.max() ?? .infinity
        XCTAssertLessThan(worst / scale, 1e-4, "largest difference \(worst), scale \(scale)")
    }

    func testViTRejectsWrongDepth() throws {
        let fixtures = SharedData.packageRoot.appendingPathComponent("Tests/LarderModelsTests/Fixtures")
        let weights = try TorchCheckpoint(contentsOf: fixtures.appendingPathComponent("vit-tiny-weights.pt")).tensors
        let configuration = VisionTransformer.Configuration(imageSize: 32, patchSize: 8, width: 32, depth: 3, headCount: 4, mlpWidth: 64)
        XCTAssertThrowsError(try VisionTransformer(configuration: configuration, weights: weights)) { error in
            guard let mismatch = error as? WeightMismatchError else { return XCTFail("unexpected error \(error)") }
            XCTAssertTrue(mismatch.missing.contains { $0.name == "blocks.2.attn.qkv.weight" })
        }
    }
}
