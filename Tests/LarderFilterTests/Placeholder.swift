// Tests for LarderFilter.
