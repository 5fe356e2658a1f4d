// Tests for LarderModels.
