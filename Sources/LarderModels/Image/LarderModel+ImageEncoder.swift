import Foundation
import LarderTensor
import LarderWeights

extension LarderModel {
    /// Builds the image encoder of this model: the backbone named in the
    /// configuration from the file's `image_encoder.backbone.` tensors, or from
    /// the cached ImageNet weights when the file stores none, then
    /// `image_encoder.fc` and tanh.
    /// - Throws: `ImageEncoderError` for a model without an image head, an
    ///   unknown backbone or missing cached weights. `WeightMismatchError` when
    ///   the tensors do not fit the backbone.
    public func makeImageEncoder() throws -> ImageEncoder {
        guard let head = configuration.image, let projection = imageProjection else { throw ImageEncoderError.noImageHead }
        guard let kind = ImageBackboneKind(rawValue: head.backbone) else { throw ImageEncoderError.unknownBackbone(head.backbone) }
        let backbone = imageBackboneParameters.isEmpty
            ? try kind.loadPretrained()
            : try kind.makeBackbone(weights: imageBackboneParameters)
        guard backbone.featureSize == head.featureSize else {
            throw WeightMismatchError(missing: [], unexpected: [],
                                      misshaped: [("image_encoder.fc.weight", [projection.outputSize, backbone.featureSize],
                                                   projection.weight.shape)])
        }
        return ImageEncoder(backbone: backbone, projection: projection)
    }
}
