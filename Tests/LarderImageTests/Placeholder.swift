// Tests for LarderImage.
