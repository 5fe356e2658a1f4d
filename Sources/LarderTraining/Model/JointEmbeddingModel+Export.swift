import LarderModels
import LarderTensor
import LarderText

extension JointEmbeddingModel {
    /// The trained weights as Larder's inference model: the recipe encoder
    /// with its projection heads, and the image projection for `backbone`,
    /// whose own tensors (`backboneTensors`, named without
    /// `image_encoder.backbone.`) are stored alongside when given.
    /// - Throws: `ModelLoadError` when the tensors do not fit the sizes, which
    ///   would mean the trainable and inference layouts have drifted apart.
    public func inferenceModel(vocabulary: Vocabulary, limits: TextLimits, backbone: String,
                               backboneTensors: [String: Tensor] = [:]) throws -> LarderModel {
        var tensors = parameters.tensors
        let imageWeight = tensors.removeValue(forKey: "image_encoder.fc.weight")!
        let imageBias = tensors.removeValue(forKey: "image_encoder.fc.bias")!
        var set = ParameterSet(tensors)
        let encoder = RecipeEncoder(configuration: sizes, parameters: &set)
        try set.finish()
        let configuration = ModelConfiguration(recipe: sizes, text: limits,
                                               image: ImageHeadConfiguration(backbone: backbone, featureSize: imageFeatureSize))
        return LarderModel(configuration: configuration, vocabulary: vocabulary, recipeEncoder: encoder,
                           imageProjection: Linear(weight: imageWeight, bias: imageBias),
                           imageBackboneParameters: backboneTensors)
    }
}
