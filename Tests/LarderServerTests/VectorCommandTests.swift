import Foundation
import LarderRESP
import LarderServer
import LarderTestSupport
import XCTest

final class VectorCommandTests: XCTestCase {
    private func seeded() throws -> (LarderServer, TestClient) {
        let server = try ServerHarness.start(self)
        let client = try TestClient(port: server.port)
        XCTAssertEqual(try client.call("VADD", "k", "VALUES", "3", "1", "0", "0", "a"), .integer(1))
        XCTAssertEqual(try client.call("VADD", "k", "VALUES", "3", "0", "1", "0", "b", "SETATTR", #"{"year": 1984}"#),
                       .integer(1))
        XCTAssertEqual(try client.call("VADD", "k", "VALUES", "3", "1", "1", "0", "c", "SETATTR", #"{"year": 2000}"#),
                       .integer(1))
        return (server, client)
    }

    func testVAddReturnsZeroOnUpdate() throws {
        let (_, client) = try seeded()
        XCTAssertEqual(try client.call("VADD", "k", "VALUES", "3", "2", "0", "0", "a"), .integer(0))
        XCTAssertEqual(try client.call("VCARD", "k"), .integer(3))
        XCTAssertEqual(try client.call("VDIM", "k"), .integer(3))
    }

    func testVSimOrderAndScoresRESP2() throws {
        let (_, client) = try seeded()
        XCTAssertEqual(try client.call("VSIM", "k", "VALUES", "3", "1", "0", "0").strings, ["a", "c", "b"])
        let reply = try client.call("VSIM", "k", "ELE", "a", "WITHSCORES", "COUNT", "2")
        guard case .array(let flat) = reply, flat.count == 4 else { return XCTFail("unexpected \(reply)") }
        XCTAssertEqual(flat[0].string, "a")
        XCTAssertEqual(Double(flat[1].string ?? "") ?? -1, 1, accuracy: 1e-5)
        XCTAssertEqual(flat[2].string, "c")
        // cos(45°) = 0.7071, so the score is (1 + 0.7071) / 2.
        XCTAssertEqual(Double(flat[3].string ?? "") ?? -1, 0.853553, accuracy: 1e-4)
    }

    func testVSimWithFP32Query() throws {
        let (_, client) = try seeded()
        client.sendRaw([Array("VSIM".utf8), Array("k".utf8), Array("FP32".utf8), fp32Blob([0, 2, 0]),
                        Array("COUNT".utf8), Array("1".utf8)])
        XCTAssertEqual(try client.read().strings, ["b"])
        client.sendRaw([Array("VADD".utf8), Array("k".utf8), Array("FP32".utf8), fp32Blob([0, 0, 1]), Array("d".utf8)])
        XCTAssertEqual(try client.read(), .integer(1))
    }

    func testRESP3MapReplies() throws {
        let (_, client) = try seeded()
        guard case .map = try client.call("HELLO", "3") else { return XCTFail("HELLO 3 did not return a map") }
        let scores = try client.call("VSIM", "k", "ELE", "a", "WITHSCORES", "COUNT", "1")
        XCTAssertEqual(scores, .map([RESPMapEntry(.bulk("a"), .double(1))]))
        let both = try client.call("VSIM", "k", "ELE", "b", "WITHSCORES", "WITHATTRIBS", "COUNT", "1")
        XCTAssertEqual(both, .map([RESPMapEntry(.bulk("b"), .array([.double(1), .bulk(#"{"year": 1984}"#)]))]))
        let attributes = try client.call("VSIM", "k", "ELE", "a", "WITHATTRIBS", "COUNT", "1")
        XCTAssertEqual(attributes, .map([RESPMapEntry(.bulk("a"), .null)]))
    }

    /// Components whose squares underflow float32 still give a unit direction,
    /// in every quantization mode, and the stored length comes back from VEMB.
    func testTinyComponentsKeepTheirDirection() throws {
        let server = try ServerHarness.start(self)
        let client = try TestClient(port: server.port)
        for (key, mode) in [("t-f32", "NOQUANT"), ("t-q8", "Q8"), ("t-rerank", "Q8RERANK")] {
            for (element, first) in [("tiny", "1e-30"), ("subnormal", "1e-45")] {
                XCTAssertEqual(try client.call("VADD", key, "VALUES", "3", first, "0", "0", element, mode), .integer(1))
            }
            XCTAssertEqual(try client.call("VADD", key, "VALUES", "3", "0", "1", "0", "other"), .integer(1))
            let scores = try client.call("VSIM", key, "VALUES", "3", "1e-45", "0", "0", "WITHSCORES")
            guard case .array(let flat) = scores, flat.count == 6 else { return XCTFail("\(key): \(scores)") }
            let values = stride(from: 1, to: 6, by: 2).compactMap { Double(flat[$0].string ?? "") }
            XCTAssertEqual(values.count, 3, "\(key): \(flat)")
            XCTAssertEqual(values.max() ?? 0, 1, accuracy: 1e-3, "\(key): \(flat)")
            XCTAssertFalse(values.contains { $0.isNaN }, "\(key): \(flat)")
            guard case .array(let components) = try client.call("VEMB", key, "tiny") else { return XCTFail(key) }
            let first = Double(components.first?.string ?? "") ?? .nan
            XCTAssertEqual(first, 1e-30, accuracy: 1e-32, "\(key): \(components)")
        }
    }

    func testFilterAndEpsilon() throws {
        let (_, client) = try seeded()
        XCTAssertEqual(try client.call("VSIM", "k", "ELE", "a", "FILTER", ".year > 1990").strings, ["c"])
        XCTAssertEqual(try client.call("VSIM", "k", "ELE", "a", "FILTER", ".year in [1984, 2000]").strings, ["c", "b"])
        XCTAssertEqual(try client.call("VSIM", "k", "ELE", "a", "FILTER", ".missing == 1").strings, [])
        XCTAssertEqual(try client.call("VSIM", "k", "ELE", "a", "EPSILON", "0.2").strings, ["a", "c"])
        XCTAssertEqual(try client.call("VSIM", "k", "ELE", "a", "TRUTH").strings, ["a", "c", "b"])
        let error = try client.call("VSIM", "k", "ELE", "a", "FILTER", ".year >").errorMessage ?? ""
        XCTAssertTrue(error.hasPrefix("ERR syntax error in FILTER expression"), error)
    }

    func testAttributesCommands() throws {
        let (_, client) = try seeded()
        XCTAssertEqual(try client.call("VGETATTR", "k", "b"), .bulk(#"{"year": 1984}"#))
        XCTAssertEqual(try client.call("VSETATTR", "k", "a", #"{"year": 1950}"#), .integer(1))
        XCTAssertEqual(try client.call("VGETATTR", "k", "a"), .bulk(#"{"year": 1950}"#))
        XCTAssertEqual(try client.call("VSETATTR", "k", "a", ""), .integer(1))
        XCTAssertEqual(try client.call("VGETATTR", "k", "a"), .null)
        XCTAssertEqual(try client.call("VSETATTR", "k", "nobody", "{}"), .integer(0))
        let invalid = try client.call("VSETATTR", "k", "a", "{not json").errorMessage ?? ""
        XCTAssertTrue(invalid.hasPrefix("ERR invalid JSON attributes"), invalid)
    }

    func testMembershipEmbeddingAndRemoval() throws {
        let (_, client) = try seeded()
        XCTAssertEqual(try client.call("VISMEMBER", "k", "a"), .integer(1))
        XCTAssertEqual(try client.call("VISMEMBER", "k", "zz"), .integer(0))
        guard case .array(let components) = try client.call("VEMB", "k", "c") else { return XCTFail("VEMB") }
        XCTAssertEqual(components.compactMap { Double($0.string ?? "") }.map { ($0 * 1000).rounded() }, [1000, 1000, 0])
        XCTAssertEqual(try client.call("VRANDMEMBER", "k", "10").strings?.sorted(), ["a", "b", "c"])
        XCTAssertEqual(try client.call("VRANDMEMBER", "k", "-7").strings?.count, 7)
        XCTAssertNotNil(try client.call("VRANDMEMBER", "k").string)
        guard case .array(let layers) = try client.call("VLINKS", "k", "a") else { return XCTFail("VLINKS") }
        XCTAssertFalse(layers.isEmpty)
        guard case .array(let info) = try client.call("VINFO", "k") else { return XCTFail("VINFO") }
        XCTAssertEqual(info.first?.string, "quant-type")
        XCTAssertEqual(try client.call("VREM", "k", "a"), .integer(1))
        XCTAssertEqual(try client.call("VREM", "k", "a"), .integer(0))
        XCTAssertEqual(try client.call("VREM", "k", "b"), .integer(1))
        XCTAssertEqual(try client.call("VREM", "k", "c"), .integer(1))
        XCTAssertEqual(try client.call("EXISTS", "k"), .integer(0), "an emptied set is deleted")
    }

    func testMissingKeyReplies() throws {
        let server = try ServerHarness.start(self)
        let client = try TestClient(port: server.port)
        XCTAssertEqual(try client.call("VSIM", "none", "VALUES", "2", "1", "0"), .array([]))
        XCTAssertEqual(try client.call("VCARD", "none"), .integer(0))
        XCTAssertEqual(try client.call("VEMB", "none", "a"), .null)
        XCTAssertEqual(try client.call("VINFO", "none"), .null)
        XCTAssertEqual(try client.call("VGETATTR", "none", "a"), .null)
        XCTAssertEqual(try client.call("VISMEMBER", "none", "a"), .integer(0))
        XCTAssertEqual(try client.call("VRANDMEMBER", "none"), .null)
        XCTAssertEqual(try client.call("VRANDMEMBER", "none", "3"), .array([]))
        XCTAssertEqual(try client.call("VLINKS", "none", "a"), .null)
        XCTAssertEqual(try client.call("VREM", "none", "a"), .integer(0))
        XCTAssertEqual(try client.call("VSETATTR", "none", "a", "{}"), .integer(0))
        let error = try client.call("VDIM", "none").errorMessage ?? ""
        XCTAssertTrue(error.contains("does not exist"), error)
    }

    func testBadInputGetsErrors() throws {
        let (_, client) = try seeded()
        let cases: [([String], String)] = [
            (["VADD", "k", "VALUES", "2", "1", "0", "x"], "dimension mismatch"),
            (["VADD", "k", "VALUES", "3", "nan", "0", "0", "x"], "is nan"),
            (["VADD", "k", "VALUES", "3", "inf", "0", "0", "x"], "is inf"),
            (["VADD", "k", "VALUES", "3", "0", "0", "0", "x"], "every component is zero"),
            (["VADD", "k", "VALUES", "3", "1", "abc", "0", "x"], "not a valid float"),
            (["VADD", "k", "VALUES", "5", "1", "0", "x"], "needs 5 numbers"),
            (["VADD", "k", "VALUES", "3", "1", "0", "0", "x", "BOGUS"], "unknown VADD option"),
            (["VADD", "k", "VALUES", "3", "1", "0", "0", "x", "NOQUANT"], "quantization"),
            (["VADD", "new", "VALUES", "3", "1", "0", "0", "x", "BIN"], "BIN (binary quantization) is not supported"),
            (["VADD", "k", "VALUES", "3", "1", "0", "0"], "missing element name"),
            (["VADD", "k", "VALUES", "3", "1e39", "0", "0", "x"], "'1e39' is beyond the float32 range"),
            (["VADD", "k", "VALUES", "3", "3e18", "0", "0", "x"], "too long for float32 distances"),
            (["CLIENT", "MAINT_NOTIFICATIONS", "ON"], "unknown subcommand 'MAINT_NOTIFICATIONS'"),
            (["VADD", "k", "REDUCE", "2", "VALUES", "3", "1", "0", "0", "x"], "REDUCE"),
            (["VADD", "k", "IMAGE", "abc", "x"], "encoder"),
            (["VSIM", "k", "ELE", "missing"], "not found"),
            (["VSIM", "k", "ELE", "a", "COUNT", "0"], "COUNT"),
            (["VSIM", "k", "ELE", "a", "COUNT", "-3"], "COUNT"),
            (["VSIM", "k", "ELE", "a", "COUNT", "ten"], "not an integer"),
            (["VSIM", "k", "ELE", "a", "EPSILON", "2"], "EPSILON"),
            (["VSIM", "k", "VALUES", "2", "1", "0"], "dimension mismatch"),
            (["VSIM", "k"], "wrong number of arguments"),
            (["NOSUCHCOMMAND", "x"], "unknown command"),
            (["SELECT", "3"], "out of range"),
        ]
        for (command, fragment) in cases {
            let reply = try client.call(command)
            let message = reply.errorMessage ?? "(no error: \(reply))"
            XCTAssertTrue(message.contains(fragment), "\(command.joined(separator: " ")) -> \(message)")
        }
        client.sendRaw([Array("VADD".utf8), Array("k".utf8), Array("FP32".utf8), [1, 2, 3], Array("x".utf8)])
        XCTAssertTrue(try client.read().errorMessage?.contains("multiple of 4") == true)
        XCTAssertEqual(try client.call("VCARD", "k"), .integer(3), "no rejected write changed the set")
    }

    func testEFBelowCountIsClamped() throws {
        let (_, client) = try seeded()
        XCTAssertEqual(try client.call("VSIM", "k", "ELE", "a", "COUNT", "3", "EF", "1").strings?.count, 3)
    }
}
