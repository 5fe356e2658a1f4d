/// Sizes of the hierarchical transformer recipe encoder of Salvador et al.,
/// "Revamping Cross-Modal Recipe Retrieval with Hierarchical Transformers and
/// Self-supervised Learning" (CVPR 2021). Stored as JSON in the model file.
public struct RecipeEncoderConfiguration: Codable, Sendable, Equatable {
    /// Number of vocabulary entries (rows of the shared word embedding).
    public var vocabularySize: Int
    /// Width of word embeddings, transformer layers and component vectors (512 in Salvador et al.).
    public var hiddenSize: Int
    /// Attention heads per transformer layer (4 in Salvador et al.).
    public var headCount: Int
    /// Transformer layers per encoder (2 in Salvador et al.).
    public var layerCount: Int
    /// Width of each layer's ReLU feed-forward block (PyTorch's default 2048 in Salvador et al.).
    public var feedForwardSize: Int
    /// Length of the recipe vector, shared with the image encoder (1024 in Salvador et al.).
    public var outputSize: Int
    /// Rows of each learned positional embedding table; longer sequences are rejected (50 in Salvador et al.).
    public var positionCount: Int

    /// Creates a configuration; the defaults are the sizes of Salvador et al.
    public init(vocabularySize: Int, hiddenSize: Int = 512, headCount: Int = 4, layerCount: Int = 2,
                feedForwardSize: Int = 2048, outputSize: Int = 1024, positionCount: Int = 50) {
        self.vocabularySize = vocabularySize
        self.hiddenSize = hiddenSize
        self.headCount = headCount
        self.layerCount = layerCount
        self.feedForwardSize = feedForwardSize
        self.outputSize = outputSize
        self.positionCount = positionCount
    }

    /// Returns a description of the first invalid size, or nil when every size is usable.
    public func validationFailure() -> String? {
        let sizes: [(String, Int)] = [("vocabularySize", vocabularySize), ("hiddenSize", hiddenSize),
                                      ("headCount", headCount), ("layerCount", layerCount),
                                      ("feedForwardSize", feedForwardSize), ("outputSize", outputSize),
                                      ("positionCount", positionCount)]
        for (name, value) in sizes where value <= 0 {
            return "\(name) must be positive, got \(value)"
        }
        if hiddenSize % headCount != 0 {
            return "hiddenSize \(hiddenSize) must be divisible by headCount \(headCount)"
        }
        return nil
    }
}
