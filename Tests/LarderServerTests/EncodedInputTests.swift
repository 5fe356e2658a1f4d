import Foundation
import LarderRESP
import LarderServer
import LarderTestSupport
import XCTest

/// Encodes `RECIPE` inputs by counting letters a to c of the text: a tiny but
/// real `VectorInputEncoder`, enough to exercise the server's input slot.
private struct LetterCountEncoder: VectorInputEncoder {
    struct InvalidRecipe: Error, CustomStringConvertible {
        var description: String { "recipe text has none of the letters a, b, c" }
    }

    var kinds: Set<EncodedInputKind> { [EncodedInputKind("RECIPE")] }

    func encode(_ kind: EncodedInputKind, payload: [UInt8]) throws -> EncodedInput {
        let counts = ["a", "b", "c"].map { letter in Float(payload.filter { $0 == Character(letter).asciiValue! }.count) }
        guard counts.contains(where: { $0 > 0 }) else { throw InvalidRecipe() }
        return EncodedInput(vector: counts, defaultAttributes: #"{"text": "\#(String(decoding: payload, as: UTF8.self))"}"#)
    }
}

final class EncodedInputTests: XCTestCase {
    func testEncoderInputsInVAddAndVSim() throws {
        var configuration = ServerConfiguration()
        configuration.port = 0
        let server = LarderServer(configuration: configuration, keyspace: MemoryKeyspace(), encoder: LetterCountEncoder())
        try server.start()
        addTeardownBlock { try? server.stop() }
        let client = try TestClient(port: server.port)

        XCTAssertEqual(try client.call("VADD", "r", "RECIPE", "aaa", "first"), .integer(1))
        XCTAssertEqual(try client.call("VADD", "r", "RECIPE", "bbb", "second", "SETATTR", #"{"own": 1}"#), .integer(1))
        // Without SETATTR the encoder's attributes are stored; SETATTR wins over them.
        XCTAssertEqual(try client.call("VGETATTR", "r", "first"), .bulk(#"{"text": "aaa"}"#))
        XCTAssertEqual(try client.call("VGETATTR", "r", "second"), .bulk(#"{"own": 1}"#))
        XCTAssertEqual(try client.call("VSIM", "r", "RECIPE", "ab", "COUNT", "1", "FILTER", ".own == 1").strings,
                       ["second"])
        XCTAssertEqual(try client.call("VSIM", "r", "RECIPE", "a", "COUNT", "1").strings, ["first"])

        let invalid = try client.call("VSIM", "r", "RECIPE", "xyz").errorMessage ?? ""
        XCTAssertTrue(invalid.contains("none of the letters"), invalid)
        let unknown = try client.call("VSIM", "r", "IMAGE", "xyz").errorMessage ?? ""
        XCTAssertTrue(unknown.contains("needs an encoder model"), unknown)
    }
}
