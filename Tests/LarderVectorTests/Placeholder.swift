// Tests for LarderVector.
