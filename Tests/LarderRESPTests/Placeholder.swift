// Tests for LarderRESP.
