import LarderTensor
@testable import LarderTraining
import XCTest

/// Checks the losses and the optimiser against values worked out by hand.
final class LossAndOptimizerTests: XCTestCase {
    func testTripletLossByHand() {
        // S = [[1, 1], [0, 0]] for anchors (1,0), (0,1) and positives (1,0), (1,0).
        // Anchor 0 vs positive 1: .3 - 1 + 1 = .3; positive 0 vs anchor 1: .3 - 1 + 0 < 0.
        // Anchor 1 vs positive 0: .3 - 0 + 0 = .3; positive 1 vs anchor 0: .3 - 0 + 1 = 1.3.
        // (0.3 + 0.3 + 1.3) / (2 · 1 negatives) = 0.95.
        let anchors = Variable(Tensor(shape: [2, 2], scalars: [1, 0, 0, 1]))
        let positives = Variable(Tensor(shape: [2, 2], scalars: [3, 0, 1, 0]))
        XCTAssertEqual(TripletLoss(margin: 0.3)(anchors, positives).value.scalars[0], 0.95, accuracy: 1e-6)
    }

    func testTripletLossZeroWhenSeparated() {
        let identity = Variable(Tensor(shape: [3, 3], scalars: [1, 0, 0, 0, 1, 0, 0, 0, 1]))
        // Orthogonal negatives are 1.0 further than positives, beyond the 0.3 margin.
        XCTAssertEqual(TripletLoss()(identity, identity).value.scalars[0], 0)
        // With margin 1.5 each of the 6 ordered pairs costs 0.5 in each direction: 6 / 6 negatives = 1.
        XCTAssertEqual(TripletLoss(margin: 1.5)(identity, identity).value.scalars[0], 1.0, accuracy: 1e-6)
    }

    func testAdamFirstStepMovesByLearningRate() {
        // After bias correction the first step is lr · g / (|g| + eps), so each weight moves by lr against its gradient's sign.
        let weight = Variable(Tensor(shape: [3], scalars: [1, -2, 0.5]), requiresGradient: true)
        weight.grad = [4, -0.01, 0]
        var adam = Adam()
        adam.update([weight], learningRate: 0.1)
        XCTAssertEqual(weight.value.scalars[0], 0.9, accuracy: 1e-6)
        XCTAssertEqual(weight.value.scalars[1], -1.9, accuracy: 1e-5)
        XCTAssertEqual(weight.value.scalars[2], 0.5, accuracy: 1e-6)
        XCTAssertEqual(adam.step, 1)
    }

    func testAdamMinimisesQuadratic() {
        let weight = Variable(Tensor(shape: [2], scalars: [3, -4]), requiresGradient: true)
        let target = Variable(Tensor(shape: [2], scalars: [-1, 1]))
        var adam = Adam()
        for _ in 0..<500 {
            weight.zeroGradient()
            let difference = weight.adding(target.scaled(by: -1))
            difference.reshaped([1, 2]).matmul(difference.reshaped([1, 2]), transposeB: true).backward()
            adam.update([weight], learningRate: 0.05)
        }
        XCTAssertEqual(weight.value.scalars[0], -1, accuracy: 0.05)
        XCTAssertEqual(weight.value.scalars[1], 1, accuracy: 0.05)
    }

    func testGradientClipping() {
        let a = Variable(Tensor(shape: [2], repeating: 0), requiresGradient: true)
        let b = Variable(Tensor(shape: [1], repeating: 0), requiresGradient: true)
        a.grad = [3, 0]
        b.grad = [4]
        let norm = GradientClipping.globalNorm([a, b])
        XCTAssertEqual(norm, 5, accuracy: 1e-6)
        XCTAssertEqual(GradientClipping.scale(norm: norm, maximumNorm: 2), 0.4, accuracy: 1e-6)
        XCTAssertEqual(GradientClipping.scale(norm: norm, maximumNorm: 10), 1)
    }

    func testLearningRateSchedule() {
        let schedule = LearningRateSchedule(baseRate: 1, warmupSteps: 4, totalSteps: 14, decay: .cosine, minimumFactor: 0)
        XCTAssertEqual(schedule.rate(at: 0), 0.25, accuracy: 1e-6)
        XCTAssertEqual(schedule.rate(at: 3), 1, accuracy: 1e-6)
        XCTAssertEqual(schedule.rate(at: 4), 1, accuracy: 1e-6)
        XCTAssertEqual(schedule.rate(at: 9), 0.5, accuracy: 1e-6)
        XCTAssertEqual(schedule.rate(at: 14), 0, accuracy: 1e-6)
        let constant = LearningRateSchedule(baseRate: 2, warmupSteps: 0, totalSteps: 10, decay: .constant)
        XCTAssertEqual(constant.rate(at: 7), 2)
    }
}
