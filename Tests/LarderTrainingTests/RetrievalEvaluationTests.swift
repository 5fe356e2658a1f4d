import LarderTensor
import LarderTestSupport
@testable import LarderTraining
import XCTest

/// Checks the retrieval protocol against ranks worked out by hand.
final class RetrievalEvaluationTests: XCTestCase {
    // Four pairs in two dimensions. Images and recipes are deliberately not unit
    // length, so the test also covers the normalisation.
    //   images:  i0 (2, 0)  i1 (0, 3)  i2 (1, 1)  i3 (-1, 0)
    //   recipes: r0 (1, 0)  r1 (1, 0)  r2 (0, 1)  r3 (0, -2)
    let images = Tensor(shape: [4, 2], scalars: [2, 0, 0, 3, 1, 1, -1, 0])
    let recipes = Tensor(shape: [4, 2], scalars: [1, 0, 1, 0, 0, 1, 0, -2])

    func testImageToRecipeRanksByHand() {
        // i0: cos to r0..r3 = 1, 1, 0, 0; the tie with r1 counts for the match: rank 1.
        // i1: 0, 0, 1, -1; r2 is strictly closer than r1: rank 2.
        // i2: .71, .71, .71, -.71; exact ties only: rank 1.
        // i3: -1, -1, 0, 0; tie with r2: rank 1.
        XCTAssertEqual(RetrievalEvaluation.ranks(queries: images, candidates: recipes), [1, 2, 1, 1])
    }

    func testRecipeToImageRanksByHand() {
        // r0: cos to i0..i3 = 1, 0, .71, -1: rank 1.
        // r1: 1, 0, .71, -1; i0 and i2 are closer than i1: rank 3.
        // r2: 0, 1, .71, 0; i1 is closer than i2: rank 2.
        // r3: 0, -1, -.71, 0; tie with i0: rank 1.
        XCTAssertEqual(RetrievalEvaluation.ranks(queries: recipes, candidates: images), [1, 3, 2, 1])
    }

    func testMetricsFromRanks() {
        let odd = RetrievalMetrics(ranks: [20, 1, 3, 2, 6, 7, 11])
        XCTAssertEqual(odd.medianRank, 6)
        XCTAssertEqual(odd.recallAt1, 1.0 / 7, accuracy: 1e-12)
        XCTAssertEqual(odd.recallAt5, 3.0 / 7, accuracy: 1e-12)
        XCTAssertEqual(odd.recallAt10, 5.0 / 7, accuracy: 1e-12)

        let even = RetrievalMetrics(ranks: [1, 3, 2, 1])
        XCTAssertEqual(even.medianRank, 1.5)
        XCTAssertEqual(even.recallAt1, 0.5)
        XCTAssertEqual(even.recallAt5, 1)
    }

    func testWholeSetWhenSmallerThanRankingSizes() throws {
        let reports = try RetrievalEvaluation.evaluate(images: images, recipes: recipes)
        XCTAssertEqual(reports.count, 1)
        XCTAssertEqual(reports[0].rankingSize, 4)
        XCTAssertEqual(reports[0].subsetCount, 1)
        XCTAssertEqual(reports[0].imageToRecipe,
                       RetrievalMetrics(medianRank: 1, recallAt1: 0.75, recallAt5: 1, recallAt10: 1))
        XCTAssertEqual(reports[0].recipeToImage,
                       RetrievalMetrics(medianRank: 1.5, recallAt1: 0.5, recallAt5: 1, recallAt10: 1))
    }

    func testSubsetsOfWholeSizeMatchWholeSet() throws {
        // Each subset is then a permutation of all pairs, and the metrics must not depend on order.
        let reports = try RetrievalEvaluation.evaluate(images: images, recipes: recipes,
                                                       rankingSizes: [4, 10], subsetCount: 5, seed: 3)
        XCTAssertEqual(reports.count, 1)
        XCTAssertEqual(reports[0].subsetCount, 5)
        XCTAssertEqual(reports[0].imageToRecipe.recallAt1, 0.75)
        XCTAssertEqual(reports[0].recipeToImage.medianRank, 1.5)
    }

    func testSubsetAverageIsSeeded() throws {
        var generator = SplitMix64(seed: 11)
        let count = 60
        let imageScalars = (0..<(count * 8)).map { _ in generator.nextGaussian() }
        // Recipes are noisy copies of the images, so ranks vary between subsets.
        let recipeScalars = imageScalars.map { $0 + 1.5 * generator.nextGaussian() }
        let images = Tensor(shape: [count, 8], scalars: imageScalars)
        let recipes = Tensor(shape: [count, 8], scalars: recipeScalars)

        let first = try RetrievalEvaluation.evaluate(images: images, recipes: recipes,
                                                     rankingSizes: [20], subsetCount: 10, seed: 5)
        let again = try RetrievalEvaluation.evaluate(images: images, recipes: recipes,
                                                     rankingSizes: [20], subsetCount: 10, seed: 5)
        let other = try RetrievalEvaluation.evaluate(images: images, recipes: recipes,
                                                     rankingSizes: [20], subsetCount: 10, seed: 6)
        XCTAssertEqual(first, again)
        XCTAssertNotEqual(first, other)
        XCTAssertEqual(first[0].rankingSize, 20)
        XCTAssertGreaterThan(first[0].imageToRecipe.recallAt10, first[0].imageToRecipe.recallAt1)
    }

    func testInvalidInputsThrow() {
        let wrongShape = Tensor(shape: [3, 2], repeating: 1)
        XCTAssertThrowsError(try RetrievalEvaluation.evaluate(images: images, recipes: wrongShape)) { error in
            XCTAssertEqual(error as? EvaluationError, .shapeMismatch(images: [4, 2], recipes: [3, 2]))
        }
        let empty = Tensor(shape: [0, 2], scalars: [])
        XCTAssertThrowsError(try RetrievalEvaluation.evaluate(images: empty, recipes: empty)) { error in
            XCTAssertEqual(error as? EvaluationError, .empty)
        }
        XCTAssertThrowsError(try RetrievalEvaluation.evaluate(images: images, recipes: recipes, subsetCount: 0))
    }
}

final class EmbeddingPairsTests: XCTestCase {
    func testRoundTripAndErrors() throws {
        let directory = try TemporaryDirectory()
        let url = directory.url.appendingPathComponent("embeddings.jsonl")
        let pairs = EmbeddingPairs(ids: ["a", "b"], images: Tensor(shape: [2, 2], scalars: [1, 0, 0.5, -2]),
                                   recipes: Tensor(shape: [2, 2], scalars: [0, 1, 3, 0.25]))
        try pairs.write(jsonLines: url)
        XCTAssertEqual(try EmbeddingPairs.read(jsonLines: url), pairs)

        try "{\"id\": \"a\", \"image\": [1, 2], \"recipe\": [1]}\n".write(to: url, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try EmbeddingPairs.read(jsonLines: url)) { error in
            guard case .invalidRecord(_, let line, _)? = error as? DataError else {
                return XCTFail("expected an invalid record error, got \(error)")
            }
            XCTAssertEqual(line, 1)
        }
        try "\n".write(to: url, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try EmbeddingPairs.read(jsonLines: url)) { error in
            XCTAssertEqual(error as? DataError, .empty(path: url.path, what: "embedding pairs"))
        }
    }
}
