// Tests for LarderHNSW.
