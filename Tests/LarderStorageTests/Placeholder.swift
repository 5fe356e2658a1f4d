// Tests for LarderStorage.
