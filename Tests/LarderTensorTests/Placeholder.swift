// Tests for LarderTensor.
