/// Everything needed to rebuild a Larder model besides its tensors and
/// vocabulary; stored as JSON under `larder.config` in the model file.
public struct ModelConfiguration: Codable, Sendable, Equatable {
    /// Version of the model file layout; this code reads version 1.
    public var format: Int
    /// Recipe encoder sizes.
    public var recipe: RecipeEncoderConfiguration
    /// Tokenizer limits the model was trained with.
    public var text: TextLimits
    /// Image side, or nil for a recipe-only model.
    public var image: ImageHeadConfiguration?

    /// Creates a configuration of the current format.
    public init(recipe: RecipeEncoderConfiguration, text: TextLimits = TextLimits(),
                image: ImageHeadConfiguration? = nil) {
        self.format = 1
        self.recipe = recipe
        self.text = text
        self.image = image
    }
}

/// Per-recipe text limits. Salvador et al. (CVPR 2021) keep 15 ids per
/// sentence (markers included), 20 ingredients and 20 instructions.
public struct TextLimits: Codable, Sendable, Equatable {
    /// Ids kept per title, ingredient and instruction, `<start>` and `<end>` included.
    public var maxSentenceTokens: Int
    /// Ingredient lines kept per recipe.
    public var maxIngredients: Int
    /// Instructions kept per recipe.
    public var maxInstructions: Int

    /// Creates limits; the defaults are those of Salvador et al.
    public init(maxSentenceTokens: Int = 15, maxIngredients: Int = 20, maxInstructions: Int = 20) {
        self.maxSentenceTokens = maxSentenceTokens
        self.maxIngredients = maxIngredients
        self.maxInstructions = maxInstructions
    }
}

/// The image side of a model: a named backbone whose features go through a
/// linear layer (`image_encoder.fc`, `[recipe.outputSize, featureSize]`) and
/// tanh. The backbone's own tensors are stored under `image_encoder.backbone.`.
public struct ImageHeadConfiguration: Codable, Sendable, Equatable {
    /// Backbone name, for example `efficientnet-lite2`, `resnet50` or `vit-b16`.
    public var backbone: String
    /// Length of the backbone's pooled feature vector.
    public var featureSize: Int

    /// Creates an image head description.
    public init(backbone: String, featureSize: Int) {
        self.backbone = backbone
        self.featureSize = featureSize
    }
}
