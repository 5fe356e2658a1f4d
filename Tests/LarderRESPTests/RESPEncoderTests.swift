import LarderRESP
import XCTest

final class RESPEncoderTests: XCTestCase {
    private func wire(_ value: RESPValue, _ version: RESPVersion) -> String {
        String(decoding: RESPEncoder(version: version).encode(value), as: UTF8.self)
    }

    func testScalarsInBothVersions() {
        XCTAssertEqual(wire(.ok, .resp2), "+OK\r\n")
        XCTAssertEqual(wire(.error("ERR bad"), .resp3), "-ERR bad\r\n")
        XCTAssertEqual(wire(.integer(-3), .resp2), ":-3\r\n")
        XCTAssertEqual(wire(.bulk("hi"), .resp2), "$2\r\nhi\r\n")
        XCTAssertEqual(wire(.null, .resp2), "$-1\r\n")
        XCTAssertEqual(wire(.null, .resp3), "_\r\n")
        XCTAssertEqual(wire(.nullArray, .resp2), "*-1\r\n")
        XCTAssertEqual(wire(.double(0.5), .resp2), "$3\r\n0.5\r\n")
        XCTAssertEqual(wire(.double(0.5), .resp3), ",0.5\r\n")
        XCTAssertEqual(wire(.double(1), .resp3), ",1\r\n")
        XCTAssertEqual(wire(.boolean(true), .resp2), ":1\r\n")
        XCTAssertEqual(wire(.boolean(false), .resp3), "#f\r\n")
    }

    func testMapFlattensInRESP2() {
        let map = RESPValue.map([RESPMapEntry(.bulk("a"), .integer(1))])
        XCTAssertEqual(wire(map, .resp2), "*2\r\n$1\r\na\r\n:1\r\n")
        XCTAssertEqual(wire(map, .resp3), "%1\r\n$1\r\na\r\n:1\r\n")
        XCTAssertEqual(wire(.set([.integer(1)]), .resp3), "~1\r\n:1\r\n")
        XCTAssertEqual(wire(.set([.integer(1)]), .resp2), "*1\r\n:1\r\n")
    }

    func testErrorLinesCannotBreakFraming() {
        XCTAssertEqual(wire(.error("ERR a\r\nb"), .resp2), "-ERR a  b\r\n")
    }

    func testRoundTripThroughReplyParser() throws {
        let value = RESPValue.array([
            .bulk("x"), .integer(7), .null, .double(0.25), .boolean(true),
            .map([RESPMapEntry(.bulk("k"), .array([.bulkString([0, 13, 10])]))]),
            .set([.simpleString("s")]), .error("ERR e"), .bigNumber("123456789012345678901234"),
        ])
        var parser = RESPReplyParser()
        let bytes = RESPEncoder(version: .resp3).encode(value)
        // Every split point: nothing until the last byte arrives, then the value.
        for split in [1, bytes.count / 2, bytes.count - 1] {
            var partial = RESPReplyParser()
            partial.append(bytes[..<split])
            XCTAssertNil(try partial.next())
            partial.append(bytes[split...])
            XCTAssertEqual(try partial.next(), value)
        }
        parser.append(bytes)
        XCTAssertEqual(try parser.next(), value)
        XCTAssertNil(try parser.next())
    }

    func testEncodeCommand() {
        var buffer: [UInt8] = []
        RESPEncoder.encodeCommand([Array("PING".utf8)], into: &buffer)
        XCTAssertEqual(String(decoding: buffer, as: UTF8.self), "*1\r\n$4\r\nPING\r\n")
    }
}
