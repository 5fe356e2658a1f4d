import Foundation
import LarderArguments
import LarderImage
import LarderModels
import LarderTensor

/// `larder encode`: prints the embedding of a photo as a JSON array.
///
/// With `--model`, the vector is the model's image encoder output (backbone,
/// projection, tanh). Without it, the pooled features of a pretrained
/// backbone are printed, which is useful before any model is trained.
enum EncodeCommand: Subcommand {
    static let name = "encode"
    static let summary = "Print the vector of a photo as a JSON array."

    static func makeSpec() -> CommandSpec {
        var spec = CommandSpec(name: name, summary: summary)
        spec.option("image", metavar: "FILE", help: "Photo to encode (JPEG, PNG or WebP).")
        spec.option("model", metavar: "PATH", help: "Larder model file whose image encoder to use.")
        spec.option("backbone", metavar: "NAME",
                    help: "Without --model: pretrained backbone whose pooled features to print ("
                        + ImageBackboneKind.allCases.map(\.rawValue).joined(separator: ", ") + ").",
                    default: ImageBackboneKind.standard.rawValue)
        return spec
    }

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try makeSpec().parse(arguments)
        guard let imagePath = parsed.string("image") else {
            throw ArgumentError.invalidValue(option: "image", value: "", expected: "--image FILE")
        }
        let image = try ImageDecoder().decode(contentsOf: URL(fileURLWithPath: imagePath))

        let vector: Tensor
        if let modelPath = parsed.string("model") {
            let encoder = try LarderModel(contentsOf: URL(fileURLWithPath: modelPath)).makeImageEncoder()
            vector = encoder.encode([image])
        } else {
            let name = try parsed.choice("backbone", from: ImageBackboneKind.allCases.map(\.rawValue))!
            let backbone = try ImageBackboneKind(rawValue: name)!.loadPretrained()
            Console.err("larder encode: no --model given, printing the \(backbone.featureSize) pooled features of \(name)")
            vector = backbone.features(backbone.preprocessor.batch([image]))
        }
        Console.out("[" + vector.scalars.map { "\($0)" }.joined(separator: ",") + "]")
        return 0
    }
}
