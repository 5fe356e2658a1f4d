// Tests for LarderNet.
