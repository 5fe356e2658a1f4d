// Tests for LarderTraining.
