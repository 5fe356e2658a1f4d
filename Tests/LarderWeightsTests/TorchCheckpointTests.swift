import Foundation
import LarderTensor
import LarderTestSupport
@testable import LarderWeights
import XCTest

final class TorchCheckpointTests: XCTestCase {
    private let fixtures = SharedData.packageRoot.appendingPathComponent("Tests/LarderWeightsTests/Fixtures")

    private func expectedTensors() throws -> [String: (shape: [Int], values: [Float])] {
        let data = try Data(contentsOf: fixtures.appendingPathComponent("nested-expected.json"))
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: [String: Any]])
        var result: [String: (shape: [Int], values: [Float])] = [:]
        for (name, entry) in object {
            let shape = try XCTUnwrap(entry["shape"] as? [Int])
            let values = try XCTUnwrap(entry["values"] as? [Double]).map(Float.init)
            result[name] = (shape, values)
        }
        return result
    }

    private func checkNestedCheckpoint(_ file: String) throws {
        let checkpoint = try TorchCheckpoint(contentsOf: fixtures.appendingPathComponent(file))
        let expected = try expectedTensors()
        XCTAssertEqual(Set(checkpoint.tensors.keys), Set(expected.keys.map { "state_dict." + $0 }))
        for (name, tensor) in expected {
            let loaded = try XCTUnwrap(checkpoint.tensors["state_dict." + name], name)
            XCTAssertEqual(loaded.shape, tensor.shape, name)
            XCTAssertEqual(loaded.scalars.count, tensor.values.count, name)
            for (a, b) in zip(loaded.scalars, tensor.values) {
                XCTAssertEqual(a, b, accuracy: 1e-6, name)
            }
        }
        guard case .dict(let root) = checkpoint.root else { return XCTFail("root is \(checkpoint.root.kindName), expected dict") }
        XCTAssertEqual(root["epoch"]?.intValue, 3)
        XCTAssertEqual(root["name"]?.stringValue, "fixture")
    }

    func testZipCheckpointLoads() throws {
        try checkNestedCheckpoint("nested-zip.pt")
    }

    func testLegacyCheckpointLoads() throws {
        try checkNestedCheckpoint("nested-legacy.pt")
    }

    func testTruncatedCheckpointsFail() throws {
        for file in ["nested-zip.pt", "nested-legacy.pt"] {
            let bytes = [UInt8](try Data(contentsOf: fixtures.appendingPathComponent(file)))
            for length in [0, 1, 10, bytes.count / 3, bytes.count / 2, bytes.count - 9, bytes.count - 1] {
                XCTAssertThrowsError(try TorchCheckpoint(bytes: Array(bytes.prefix(length))), "\(file) cut to \(length) bytes")
            }
        }
    }

    func testCorruptCheckpointsNeverCrash() throws {
        var generator = SeededGenerator(seed: 11)
        for file in ["nested-zip.pt", "nested-legacy.pt"] {
            let bytes = [UInt8](try Data(contentsOf: fixtures.appendingPathComponent(file)))
            var failures = 0
            for _ in 0..<300 {
                var corrupt = bytes
                for _ in 0..<4 {
                    corrupt[Int.random(in: 0..<corrupt.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
                }
                // A flipped byte inside tensor data still loads; anything else must throw, not crash.
                do { _ = try TorchCheckpoint(bytes: corrupt) } catch { failures += 1 }
            }
            XCTAssertGreaterThan(failures, 0, file)
        }
    }

    func testUnknownFormatRejected() {
        XCTAssertThrowsError(try TorchCheckpoint(bytes: Array("not a checkpoint".utf8))) { error in
            guard case TorchCheckpointError.unknownFormat = error else { return XCTFail("unexpected error \(error)") }
        }
    }

    func testHalfToFloatConversion() {
        XCTAssertEqual(TorchDType.halfToFloat(0x3C00), 1)
        XCTAssertEqual(TorchDType.halfToFloat(0xC000), -2)
        XCTAssertEqual(TorchDType.halfToFloat(0x7BFF), 65504)
        XCTAssertEqual(TorchDType.halfToFloat(0x0001), 0x1p-24)
        XCTAssertEqual(TorchDType.halfToFloat(0x7C00), .infinity)
        XCTAssertTrue(TorchDType.halfToFloat(0x7E00).isNaN)
    }
}

final class StateDictionaryTests: XCTestCase {
    func testModulePrefixStripped() {
        var state = StateDictionary(["module.a": Tensor(shape: [2]), "module.b": Tensor(shape: [1])])
        XCTAssertEqual(state.remainingNames, ["a", "b"])
        _ = state.take("a", shape: [2])
        XCTAssertEqual(state.remainingNames, ["b"])
    }

    func testMismatchNamesEveryTensor() {
        var state = StateDictionary(["weight": Tensor(shape: [3, 4]), "extra": Tensor(shape: [5]), "bias": Tensor(shape: [3])])
        _ = state.take("weight", shape: [4, 3])
        _ = state.take("bias", shape: [3])
        _ = state.take("gamma", shape: [7])
        XCTAssertThrowsError(try state.finish()) { error in
            guard let mismatch = error as? WeightMismatchError else { return XCTFail("unexpected error \(error)") }
            XCTAssertEqual(mismatch.missing.map(\.name), ["gamma"])
            XCTAssertEqual(mismatch.missing.first?.expected, [7])
            XCTAssertEqual(mismatch.unexpected.map(\.name), ["extra"])
            XCTAssertEqual(mismatch.misshaped.first?.name, "weight")
            XCTAssertEqual(mismatch.misshaped.first?.expected, [4, 3])
            XCTAssertEqual(mismatch.misshaped.first?.found, [3, 4])
            XCTAssertTrue(mismatch.description.contains("expected shape [4, 3], found [3, 4]"))
        }
    }

    func testMatchingStateFinishes() throws {
        var state = StateDictionary(["w": Tensor(shape: [2], scalars: [1, 2]), "n": Tensor(shape: [])])
        XCTAssertEqual(state.take("w", shape: [2]).scalars, [1, 2])
        state.ignore { $0 == "n" }
        try state.finish()
    }
}
