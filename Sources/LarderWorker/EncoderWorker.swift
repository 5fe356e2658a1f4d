import Foundation
import LarderLog
import LarderModels
import LarderTensor
import LarderText

/// A vector produced by the encoder worker, with the time each stage took.
public struct EncodedVector: Sendable {
    /// The embedding, `outputSize` values.
    public var vector: [Float]
    /// Seconds spent parsing or decoding the input on the caller's thread.
    public var decodeSeconds: Double
    /// Seconds from queueing to the end of the batched model call.
    public var encodeSeconds: Double
}

/// Turns recipes and photos into vectors of the shared embedding space.
///
/// Parsing and image decoding run on the calling thread; the model runs on
/// the worker's own threads, where concurrent requests are batched by a
/// `DynamicBatcher` so one BLAS call serves many of them. The server's I/O
/// threads therefore never run a model.
///
/// Thread safety: every method may be called from any thread.
public final class EncoderWorker: @unchecked Sendable {
    /// The model every request is encoded with.
    public let model: LarderModel
    private let recipes: DynamicBatcher<RecipeText, [Float]>
    private let logger = Logger(label: "encoder")

    /// Starts the worker threads for `model`.
    public init(model: LarderModel, batching: BatcherConfiguration = BatcherConfiguration()) {
        self.model = model
        let recipeModel = model
        recipes = DynamicBatcher(configuration: batching, name: "larder-recipe-encoder") { inputs in
            do {
                let output = try recipeModel.encode(inputs)
                let size = output.shape.last ?? 0
                return (0..<inputs.count).map { row in
                    .success(Array(output.scalars[(row * size)..<((row + 1) * size)]))
                }
            } catch {
                return inputs.map { _ in .failure(error) }
            }
        }
        logger.info("encoder worker started", ["batch": String(batching.maxBatchSize),
                                               "workers": String(batching.workers)])
    }

    /// Size of the vectors this worker returns.
    public var outputSize: Int { model.configuration.recipe.outputSize }

    /// Parses a recipe JSON object and encodes it.
    /// - Throws: `EncoderInputError` for bad input, `BatcherError.busy` when the queue is full.
    public func encodeRecipe(json: [UInt8]) throws -> EncodedVector {
        let start = Self.now()
        let recipe = try RecipeText(json: json)
        let parsed = Self.now()
        let vector = try recipes.submitAndWait(recipe)
        return EncodedVector(vector: vector, decodeSeconds: parsed - start, encodeSeconds: Self.now() - parsed)
    }

    /// Batching counters of the recipe encoder.
    public var recipeStatistics: BatcherStatistics { recipes.statistics }

    /// Finishes queued requests and stops the worker threads.
    public func shutdown() {
        recipes.shutdown()
    }

    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
