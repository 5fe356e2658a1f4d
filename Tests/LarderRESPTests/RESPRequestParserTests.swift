import LarderRESP
import LarderTestSupport
import XCTest

final class RESPRequestParserTests: XCTestCase {
    private func words(_ request: RESPRequest?) -> [String]? {
        request?.arguments.map { String(decoding: $0, as: UTF8.self) }
    }

    private func parseAll(_ text: String, limits: RESPLimits = RESPLimits()) throws -> [[String]] {
        var parser = RESPRequestParser(limits: limits)
        parser.append(Array(text.utf8))
        var result: [[String]] = []
        while let request = try parser.next() { result.append(words(request)!) }
        return result
    }

    func testArrayOfBulkStrings() throws {
        let requests = try parseAll("*2\r\n$4\r\nECHO\r\n$5\r\nhello\r\n")
        XCTAssertEqual(requests, [["ECHO", "hello"]])
    }

    func testPipelinedRequests() throws {
        let requests = try parseAll("*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\nPING\r\n")
        XCTAssertEqual(requests, [["PING"], ["PING"], ["PING"]])
    }

    func testBinarySafeBulk() throws {
        var parser = RESPRequestParser()
        let blob: [UInt8] = [0, 13, 10, 255, 36, 42]
        var bytes = Array("*2\r\n$3\r\nSET\r\n$6\r\n".utf8)
        bytes += blob + [13, 10]
        parser.append(bytes)
        let request = try XCTUnwrap(try parser.next())
        XCTAssertEqual(request.arguments[1], blob)
        XCTAssertFalse(request.isInline)
    }

    func testEverySplitPointGivesSameRequests() throws {
        let wire = Array("*3\r\n$4\r\nVADD\r\n$3\r\nkey\r\n$10\r\n0123456789\r\nPING x\r\n".utf8)
        for split in 0...wire.count {
            var parser = RESPRequestParser()
            var got: [[String]] = []
            parser.append(wire[..<split])
            while let request = try parser.next() { got.append(words(request)!) }
            parser.append(wire[split...])
            while let request = try parser.next() { got.append(words(request)!) }
            XCTAssertEqual(got, [["VADD", "key", "0123456789"], ["PING", "x"]], "split at \(split)")
        }
    }

    func testByteByByteTrickle() throws {
        let wire = Array("*2\r\n$4\r\nECHO\r\n$3\r\nabc\r\n".utf8)
        var parser = RESPRequestParser()
        var results: [RESPRequest] = []
        for byte in wire {
            parser.append([byte])
            if let request = try parser.next() { results.append(request) }
        }
        XCTAssertEqual(results.count, 1)
        XCTAssertEqual(words(results.first), ["ECHO", "abc"])
        XCTAssertEqual(parser.bufferedByteCount, 0)
    }

    func testInlineQuoting() throws {
        let requests = try parseAll("SET k \"a b\\x41\\n\" 'it\\'s'\r\n\r\n  PING  \n")
        XCTAssertEqual(requests, [["SET", "k", "a bA\n", "it's"], ["PING"]])
    }

    func testInlineUnbalancedQuotes() {
        XCTAssertThrowsError(try parseAll("ECHO \"abc\r\n")) { error in
            XCTAssertEqual(error as? RESPProtocolError, .unbalancedQuotes)
        }
    }

    func testEmptyArraysAreSkipped() throws {
        XCTAssertEqual(try parseAll("*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n"), [["PING"]])
    }

    func testInvalidMultibulkLength() {
        XCTAssertThrowsError(try parseAll("*abc\r\n")) { error in
            guard case .invalidMultibulkLength("abc", _)? = error as? RESPProtocolError else {
                return XCTFail("unexpected \(error)")
            }
        }
        let limits = RESPLimits(maxArguments: 10)
        XCTAssertThrowsError(try parseAll("*11\r\n", limits: limits))
    }

    func testBulkLengthLimit() {
        let limits = RESPLimits(maxBulkLength: 100)
        XCTAssertThrowsError(try parseAll("*1\r\n$101\r\n", limits: limits)) { error in
            XCTAssertEqual(error as? RESPProtocolError, .invalidBulkLength("101", maximum: 100))
        }
        XCTAssertThrowsError(try parseAll("*1\r\n$-5\r\n"))
        XCTAssertEqual(try parseAll("*1\r\n$100\r\n" + String(repeating: "x", count: 100) + "\r\n",
                                    limits: limits).first?.first?.count, 100)
    }

    func testExpectedBulkMarker() {
        XCTAssertThrowsError(try parseAll("*1\r\n:5\r\n")) { error in
            XCTAssertEqual(error as? RESPProtocolError, .expectedBulkString(found: UInt8(ascii: ":")))
        }
    }

    func testMissingBulkTerminator() {
        XCTAssertThrowsError(try parseAll("*1\r\n$2\r\nabcd\r\n")) { error in
            XCTAssertEqual(error as? RESPProtocolError, .missingBulkTerminator)
        }
    }

    func testInlineTooLongWithoutNewline() {
        var parser = RESPRequestParser(limits: RESPLimits(maxInlineLength: 16))
        parser.append(Array(repeating: UInt8(ascii: "a"), count: 17))
        XCTAssertThrowsError(try parser.next()) { error in
            XCTAssertEqual(error as? RESPProtocolError, .inlineTooLong(maximum: 16))
        }
        // The parser stays failed: the stream cannot be resynchronised.
        parser.append(Array("PING\r\n".utf8))
        XCTAssertThrowsError(try parser.next())
    }

    func testHeaderWithoutEndIsRejected() {
        var parser = RESPRequestParser()
        parser.append(Array("*".utf8) + Array(repeating: UInt8(ascii: "9"), count: 40))
        XCTAssertThrowsError(try parser.next()) { error in
            XCTAssertEqual(error as? RESPProtocolError, .headerTooLong)
        }
    }

    func testRandomGarbageNeverCrashes() {
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<2000 {
            var parser = RESPRequestParser(limits: RESPLimits(maxInlineLength: 256, maxBulkLength: 512))
            let count = Int.random(in: 0..<300, using: &generator)
            let alphabet: [UInt8] = Array("*$\r\n0123456789-:+ \"'\\x".utf8) + [0, 255]
            let bytes = (0..<count).map { _ in
                Bool.random(using: &generator) ? alphabet.randomElement(using: &generator)!
                    : UInt8.random(in: 0...255, using: &generator)
            }
            parser.append(bytes)
            var steps = 0
            while steps < 1000, (try? parser.next()) != nil { steps += 1 }
            XCTAssertLessThan(steps, 1000)
        }
    }
}
