import Foundation
import LarderImage
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
/// Parsing and image decoding run on the calling thread. The model runs on
/// the worker's own threads, where a `DynamicBatcher` groups concurrent
/// requests so that one BLAS call serves many of them. The server's I/O
/// threads therefore never run a model.
///
/// Thread safety: every method may be called from any thread.
public final class EncoderWorker: @unchecked Sendable {
    /// The model every request is encoded with.
    public let model: LarderModel
    /// The photo encoder, or nil for a recipe-only model.
    public let imageEncoder: ImageEncoder?
    private let recipes: DynamicBatcher<RecipeText, [Float]>
    private let images: DynamicBatcher<Tensor, [Float]>?
    private let decoder = ImageDecoder()
    private let logger = Logger(label: "encoder")

    /// Starts the worker threads for `model`, and for `imageEncoder` when given.
    ///
    /// `imageBatching` applies to photos and defaults to `batching`, so the
    /// two kinds can be tuned apart: photos cost far more per item than recipes.
    public init(model: LarderModel, imageEncoder: ImageEncoder? = nil,
                batching: BatcherConfiguration = BatcherConfiguration(),
                imageBatching: BatcherConfiguration? = nil) {
        self.model = model
        self.imageEncoder = imageEncoder
        if let imageEncoder {
            images = DynamicBatcher(configuration: imageBatching ?? batching, name: "larder-image-encoder") { inputs in
                Self.encodeImages(inputs, with: imageEncoder)
            }
        } else {
            images = nil
        }
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
        logger.info("encoder worker started", ["recipe_batch": String(batching.maxBatchSize),
                                               "image_batch": String((imageBatching ?? batching).maxBatchSize),
                                               "workers": String(batching.workers)])
    }

    /// Size of the vectors this worker returns.
    public var outputSize: Int { model.configuration.recipe.outputSize }

    /// Parses a recipe JSON object and encodes it.
    /// - Throws: `EncoderInputError` for bad input, `BatcherError.busy` when the queue is full.
    public func encodeRecipe(json: [UInt8]) throws -> EncodedVector {
        let start = Self.now()
        let recipe = try RecipeText(validatingJSON: json)
        let parsed = Self.now()
        let vector = try recipes.submitAndWait(recipe)
        return EncodedVector(vector: vector, decodeSeconds: parsed - start, encodeSeconds: Self.now() - parsed)
    }

    /// Decodes a JPEG, PNG or WebP photo, preprocesses it for the backbone and encodes it.
    /// - Throws: `EncoderInputError` for an undecodable photo or a model without
    ///   an image encoder, `BatcherError.busy` when the queue is full.
    public func encodeImage(bytes: [UInt8]) throws -> EncodedVector {
        guard let imageEncoder, let images else { throw EncoderInputError.noImageEncoder }
        let start = Self.now()
        let image: RGBImage
        do {
            image = try decoder.decode(bytes)
        } catch let error as ImageDecodingError {
            throw EncoderInputError.invalidImage(reason: error.description)
        }
        let tensor = imageEncoder.backbone.preprocessor.tensor(for: image)
        let decoded = Self.now()
        let vector = try images.submitAndWait(tensor)
        return EncodedVector(vector: vector, decodeSeconds: decoded - start, encodeSeconds: Self.now() - decoded)
    }

    /// Batching counters of the recipe encoder.
    public var recipeStatistics: BatcherStatistics { recipes.statistics }

    /// Batching counters of the image encoder, or nil without one.
    public var imageStatistics: BatcherStatistics? { images?.statistics }

    /// Finishes queued requests and stops the worker threads.
    public func shutdown() {
        recipes.shutdown()
        images?.shutdown()
    }

    /// Stacks preprocessed `[3, crop, crop]` tensors into one batch and encodes it.
    private static func encodeImages(_ inputs: [Tensor], with encoder: ImageEncoder) -> [Result<[Float], any Error>] {
        guard let first = inputs.first else { return [] }
        var scalars: [Float] = []
        scalars.reserveCapacity(inputs.count * first.count)
        for input in inputs { scalars += input.scalars }
        let output = encoder.encode(Tensor(shape: [inputs.count] + first.shape, scalars: scalars))
        let size = encoder.outputSize
        return (0..<inputs.count).map { row in .success(Array(output.scalars[(row * size)..<((row + 1) * size)])) }
    }

    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
