// Tests for LarderWeights.
