import Foundation
import LarderTestSupport
import LarderText
import XCTest

final class VocabularyTests: XCTestCase {
    func testPaperVocabularyLayout() throws {
        let data = try SharedData.require()
        let vocabulary = try Vocabulary(contentsOf: data.appendingPathComponent("paper-vocab.txt"))
        XCTAssertEqual(vocabulary.count, 16303)
        XCTAssertEqual(vocabulary.id(of: "<pad>"), 0)
        XCTAssertEqual(vocabulary.startID, 1)
        XCTAssertEqual(vocabulary.endID, 2)
        XCTAssertEqual(vocabulary.unknownID, 16302)
        XCTAssertEqual(vocabulary.id(of: "no-such-word-here"), 16302)
        XCTAssertTrue(vocabulary.contains("tea"))
        XCTAssertEqual(try Vocabulary(text: vocabulary.text), vocabulary)
    }

    func testInvalidVocabularies() {
        XCTAssertThrowsError(try Vocabulary(tokens: ["<start>", "<pad>", "<end>", "<unk>"])) { error in
            XCTAssertEqual(error as? VocabularyError, .paddingNotFirst(found: "<start>"))
        }
        XCTAssertThrowsError(try Vocabulary(tokens: ["<pad>", "<start>", "<end>"])) { error in
            XCTAssertEqual(error as? VocabularyError, .missingSpecialToken("<unk>"))
        }
        XCTAssertThrowsError(try Vocabulary(text: "<pad>\n<start>\n<end>\nsalt\nsalt\n<unk>\n")) { error in
            XCTAssertEqual(error as? VocabularyError, .duplicateToken("salt", firstID: 3, secondID: 4))
        }
        XCTAssertThrowsError(try Vocabulary(text: "<pad>\n<start>\n\n<end>\n<unk>")) { error in
            XCTAssertEqual(error as? VocabularyError, .invalidToken(id: 2, token: ""))
        }
        XCTAssertThrowsError(try Vocabulary(contentsOf: URL(fileURLWithPath: "/nonexistent/vocab.txt"))) { error in
            guard case .unreadable(let path, _)? = error as? VocabularyError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, "/nonexistent/vocab.txt")
        }
    }

    func testBuildKeepsFrequentWordsInFirstSeenOrder() {
        let sentences = [["salt", "and", "pepper"], ["pepper", "and", "oil"], ["and", "pepper"]]
        let vocabulary = Vocabulary.build(from: sentences, minimumCount: 2)
        XCTAssertEqual(vocabulary.tokens, ["<pad>", "<start>", "<end>", "and", "pepper", "<unk>"])
        XCTAssertEqual(Vocabulary.build(from: sentences, minimumCount: 1).count, 8)
    }
}
