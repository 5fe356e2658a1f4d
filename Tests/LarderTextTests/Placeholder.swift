// Tests for LarderText.
