// Tests for LarderServer.
