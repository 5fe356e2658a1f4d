import Foundation
import LarderTensor
import LarderTestSupport
@testable import LarderWeights
import XCTest

final class SafeTensorsTests: XCTestCase {
    private let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/dtypes.safetensors")

    func testReadsPyTorchDataTypes() throws {
        // Written by tools/make_recipe_fixtures.py with the safetensors Python package.
        let file = try SafeTensors(contentsOf: fixture)
        let values: [Float] = [0, 1, -2, 0.5, 65504, -0.125]
        XCTAssertEqual(file.metadata, ["note": "dtype fixture"])
        for name in ["f32", "f16", "f64"] {
            XCTAssertEqual(file.tensors[name]?.shape, [2, 3], name)
            XCTAssertEqual(file.tensors[name]?.scalars, values, name)
        }
        // bfloat16 keeps 8 mantissa bits: 65504 becomes 65536.
        XCTAssertEqual(file.tensors["bf16"]?.scalars, [0, 1, -2, 0.5, 65536, -0.125])
        XCTAssertEqual(file.tensors["i64"]?.scalars, [0, 1, -2, 0, 65504, -0])
        XCTAssertEqual(file.tensors["i32"]?.scalars, [0, 1, -2, 0, 65504, -0])
        XCTAssertEqual(file.tensors["u8"]?.scalars, [0, 1, 2, 0, 255, 0])
        XCTAssertEqual(file.tensors["scalar"], Tensor(shape: [], scalars: [3]))
        XCTAssertEqual(file.tensors["empty"]?.shape, [0, 4])
        XCTAssertEqual(file.storedTypes["f16"], .float16)
        XCTAssertEqual(file.storedTypes["bf16"], .bfloat16)
    }

    func testRoundTripFloat32AndFloat16() throws {
        let tensors = ["a.weight": Tensor(shape: [2, 2], scalars: [1, -0.1, 3.14159, 1e-6]),
                       "b": Tensor(shape: [3], scalars: [100000, -7, 0])]
        let original = SafeTensors(tensors: tensors, metadata: ["larder.config": "{}"])

        let exact = try SafeTensors(data: original.encoded(as: .float32))
        XCTAssertEqual(exact.tensors, tensors)
        XCTAssertEqual(exact.metadata, ["larder.config": "{}"])

        let half = try SafeTensors(data: original.encoded(as: .float16))
        XCTAssertEqual(half.storedTypes["b"], .float16)
        // 0.1 and pi round to the nearest half; 1e-6 becomes a subnormal; 100000 overflows to infinity.
        XCTAssertEqual(half.tensors["a.weight"]?.scalars, [1, -0.099975586, 3.140625, 1.013279e-06])
        XCTAssertEqual(half.tensors["b"]?.scalars, [.infinity, -7, 0])
    }

    func testWriteThenReadFile() throws {
        let directory = try TemporaryDirectory()
        let url = directory.url.appendingPathComponent("model.safetensors")
        let tensors = ["x": Tensor(shape: [1, 3], scalars: [1, 2, 3])]
        try SafeTensors(tensors: tensors).write(to: url)
        XCTAssertEqual(try SafeTensors(contentsOf: url).tensors, tensors)
        // The header is padded so that data starts 8-byte aligned.
        let data = try Data(contentsOf: url)
        XCTAssertEqual((data.count - 12) % 8, 0)
    }

    func testHalfPrecisionBitPatterns() {
        let cases: [(Float, UInt16)] = [(1, 0x3C00), (-2, 0xC000), (65504, 0x7BFF), (0.1, 0x2E66),
                                        (6.1035156e-05, 0x0400), (5.9604645e-08, 0x0001), (0, 0x0000),
                                        (.infinity, 0x7C00), (65520, 0x7C00), (1.0009766, 0x3C01)]
        for (value, bits) in cases {
            XCTAssertEqual(HalfPrecision.bits(from: value), bits, "bits of \(value)")
            if value != 65520 {
                XCTAssertEqual(HalfPrecision.float(fromBits: bits), value == 0.1 ? 0.099975586 : value, "value of \(bits)")
            }
        }
        XCTAssertTrue(HalfPrecision.float(fromBits: HalfPrecision.bits(from: .nan)).isNaN)
    }

    func testRejectsTruncatedAndCorruptFiles() throws {
        let valid = SafeTensors(tensors: ["x": Tensor(shape: [4], repeating: 1)]).encoded()
        XCTAssertThrowsError(try SafeTensors(data: valid.prefix(5))) { error in
            XCTAssertEqual(error as? SafeTensorsError, .truncated(expectedBytes: 8, actualBytes: 5))
        }
        XCTAssertThrowsError(try SafeTensors(data: valid.dropLast(4))) { error in
            guard case .invalidDataOffsets(let tensor, _, let expected, _)? = error as? SafeTensorsError else {
                return XCTFail("unexpected error \(error)")
            }
            XCTAssertEqual(tensor, "x")
            XCTAssertEqual(expected, 16)
        }
        var hugeHeader = valid
        hugeHeader.replaceSubrange(0..<8, with: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F])
        XCTAssertThrowsError(try SafeTensors(data: hugeHeader)) { error in
            XCTAssertEqual(error as? SafeTensorsError, .invalidHeaderLength(0x7FFF_FFFF_FFFF_FFFF))
        }
        var notJSON = valid
        notJSON[8] = UInt8(ascii: "x")
        XCTAssertThrowsError(try SafeTensors(data: notJSON)) { error in
            guard case .invalidHeader? = error as? SafeTensorsError else { return XCTFail("unexpected error \(error)") }
        }
    }

    func testRejectsUnknownDataType() throws {
        let header = #"{"x":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}"#
        var data = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(Data(header.utf8))
        data.append(0)
        XCTAssertThrowsError(try SafeTensors(data: data)) { error in
            XCTAssertEqual(error as? SafeTensorsError, .unsupportedDataType(tensor: "x", dataType: "F8_E4M3"))
        }
    }
}
