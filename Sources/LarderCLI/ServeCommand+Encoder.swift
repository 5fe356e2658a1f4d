import Foundation
import LarderArguments
import LarderLog
import LarderModels
import LarderServer
import LarderTensor
import LarderWorker

// MARK: - Encoder options of `larder serve`

extension ServeCommand {
    /// Declares the options that choose and tune the encoder model.
    static func declareEncoderOptions(in spec: inout CommandSpec) {
        spec.option("model", metavar: "PATH",
                    help: "Larder model file for IMAGE and RECIPE input (default: the bundled model, "
                        + "\(BundledModel.relativePath), when present).")
        spec.flag("no-model", help: "Start without an encoder: only FP32, VALUES and ELE input.")
        spec.option("encoder-batch", metavar: "N", help: "Maximum number of recipes the encoder runs in one batch.", default: "16")
        spec.option("image-batch", metavar: "N",
                    help: "Maximum number of photos the encoder runs in one batch.", default: "16")
        spec.option("encoder-wait-ms", metavar: "MS",
                    help: "Maximum time a request waits for its batch to fill, in milliseconds.", default: "5")
        spec.option("encoder-queue", metavar: "N",
                    help: "Maximum number of requests waiting for the encoder; more get a BUSY error.", default: "256")
        spec.option("encoder-threads", metavar: "N",
                    help: "Threads running the encoder model, each on one core (default: one per core, up to 4).")
        spec.option("blas-threads", metavar: "N",
                    help: "Threads OpenBLAS uses inside one model call; 1 suits a server, where concurrent "
                        + "requests already use the cores.", default: "1")
        spec.option("encoder-requests", metavar: "N",
                    help: "Most IMAGE and RECIPE requests in progress at once; they are what the encoder batches.",
                    default: "64")
    }

    /// One encoder thread per core, up to 4: with one OpenBLAS thread per call,
    /// a second thread nearly doubles photo throughput on 2 cores.
    static let defaultEncoderThreads = max(1, min(4, ProcessInfo.processInfo.activeProcessorCount))

    /// Copies the encoder's request limits into the server's settings.
    static func applyEncoderLimits(_ parsed: ParsedArguments, to configuration: inout ServerConfiguration) throws {
        configuration.encodingThreads = try parsed.integer("encoder-requests", in: 1...1024)!
        configuration.encodingBacklog = try parsed.integer("encoder-queue", in: 1...1_000_000)!
    }

    /// Loads the model the options name and starts its worker, or returns nil
    /// when no model is wanted or none is bundled.
    static func makeEncoder(_ parsed: ParsedArguments) throws -> ModelInputEncoder? {
        // Applies to every matrix call of the server (TRUTH scans too), not only to the model.
        BLASThreads.set(try parsed.integer("blas-threads", in: 1...256)!)
        if parsed.flag("no-model") { return nil }
        let logger = Logger(label: "serve")
        let url: URL
        if let path = parsed.string("model") {
            url = URL(fileURLWithPath: path)
        } else if let bundled = BundledModel.locate() {
            url = bundled
        } else {
            logger.warning("no model file given and no bundled model found; IMAGE and RECIPE input is disabled",
                           ["expected": BundledModel.relativePath])
            return nil
        }
        let model = try LarderModel(contentsOf: url)
        let imageEncoder = model.configuration.image == nil ? nil : try model.makeImageEncoder()
        let batching = BatcherConfiguration(
            maxBatchSize: try parsed.integer("encoder-batch", in: 1...1024)!,
            maxWait: Double(try parsed.integer("encoder-wait-ms", in: 0...10_000)!) / 1000,
            queueCapacity: try parsed.integer("encoder-queue", in: 1...1_000_000)!,
            workers: try parsed.integer("encoder-threads", in: 1...64) ?? defaultEncoderThreads)
        var imageBatching = batching
        imageBatching.maxBatchSize = try parsed.integer("image-batch", in: 1...1024)!
        let worker = EncoderWorker(model: model, imageEncoder: imageEncoder, batching: batching,
                                   imageBatching: imageBatching)
        logger.info("model loaded", ["path": url.path, "dimension": String(worker.outputSize),
                                     "image": imageEncoder == nil ? "none" : model.configuration.image!.backbone])
        return ModelInputEncoder(worker: worker, path: url.path)
    }
}

// MARK: - The bundled model

/// The default model that ships in the repository.
enum BundledModel {
    /// Location relative to the repository root.
    static let relativePath = LarderModel.defaultPath

    /// Finds the bundled model: `$LARDER_MODEL`, then next to the executable's
    /// checkout (`.build/<config>/larder` → repository root), then the working directory.
    static func locate() -> URL? {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment[LarderModel.pathEnvironmentVariable], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var candidates: [URL] = []
        var folder = executable.deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(folder.appendingPathComponent(relativePath))
            folder = folder.deletingLastPathComponent()
        }
        candidates.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(relativePath))
        return candidates.first { FileManager.default.fileExists(atPath: $0.path) }
    }
}

// MARK: - Adapter to the server

/// Lets the server's `IMAGE` and `RECIPE` inputs use an `EncoderWorker`.
/// For RECIPE, the recipe JSON itself becomes the element's attributes unless
/// the command has SETATTR.
final class ModelInputEncoder: VectorInputEncoder, @unchecked Sendable {
    let worker: EncoderWorker
    let path: String

    init(worker: EncoderWorker, path: String) {
        self.worker = worker
        self.path = path
    }

    var kinds: Set<EncodedInputKind> {
        worker.imageEncoder == nil ? [EncodedInputKind("RECIPE")] : [EncodedInputKind("RECIPE"), EncodedInputKind("IMAGE")]
    }

    func encode(_ kind: EncodedInputKind, payload: [UInt8]) throws -> EncodedInput {
        do {
            return try encodeWithWorker(kind, payload: payload)
        } catch let error as BatcherError {
            // A full queue is temporary, so the client gets Redis's BUSY code and may retry.
            throw ReplyCodedError(code: error == .shutDown ? "ERR" : "BUSY", message: error.description)
        }
    }

    private func encodeWithWorker(_ kind: EncodedInputKind, payload: [UInt8]) throws -> EncodedInput {
        switch kind.keyword {
        case "RECIPE":
            let encoded = try worker.encodeRecipe(json: payload)
            return EncodedInput(vector: encoded.vector, defaultAttributes: String(decoding: payload, as: UTF8.self),
                                decodeSeconds: encoded.decodeSeconds, encodeSeconds: encoded.encodeSeconds)
        default:
            let encoded = try worker.encodeImage(bytes: payload)
            return EncodedInput(vector: encoded.vector, decodeSeconds: encoded.decodeSeconds,
                                encodeSeconds: encoded.encodeSeconds)
        }
    }

    var infoFields: [(String, String)] {
        var fields: [(String, String)] = [
            ("model_path", path), ("model_dimension", "\(worker.outputSize)"),
            ("model_image_backbone", worker.model.configuration.image?.backbone ?? "none"),
        ]
        let recipes = worker.recipeStatistics
        fields += [("recipe_batches", "\(recipes.batches)"), ("recipe_mean_batch", String(format: "%.2f", recipes.meanBatchSize)),
                   ("recipe_queue", "\(recipes.queued)"), ("recipe_rejected_busy", "\(recipes.rejected)")]
        if let images = worker.imageStatistics {
            fields += [("image_batches", "\(images.batches)"), ("image_mean_batch", String(format: "%.2f", images.meanBatchSize)),
                       ("image_queue", "\(images.queued)"), ("image_rejected_busy", "\(images.rejected)")]
        }
        return fields
    }
}
