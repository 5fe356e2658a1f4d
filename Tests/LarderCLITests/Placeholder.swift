// Tests for LarderCLI.
