import Foundation
import LarderArguments
import LarderImage
import LarderModels
import LarderTensor

extension EncodeCommand {
    /// Prints the vector of one photo: the model's image embedding when a model
    /// is given or bundled, else the pooled features of a pretrained backbone.
    static func encodeImage(at path: String, _ parsed: ParsedArguments) throws -> Int32 {
        let image = try ImageDecoder().decode(contentsOf: URL(fileURLWithPath: path))
        let defaultModel = BundledModel.locate()?.path ?? LarderModel.resolvedDefaultPath()
        let modelPath = parsed.string("model")
            ?? (FileManager.default.fileExists(atPath: defaultModel) ? defaultModel : nil)
        let vector: Tensor
        if let modelPath {
            let encoder = try LarderModel(contentsOf: URL(fileURLWithPath: modelPath)).makeImageEncoder()
            vector = encoder.encode([image])
        } else {
            let name = try parsed.choice("backbone", from: ImageBackboneKind.allCases.map(\.rawValue))!
            let backbone = try ImageBackboneKind(rawValue: name)!.loadPretrained()
            Console.err("larder encode: no model found, printing the \(backbone.featureSize) pooled features of \(name)")
            vector = backbone.features(backbone.preprocessor.batch([image]))
        }
        Console.out(jsonArray(vector.scalars))
        return 0
    }
}
