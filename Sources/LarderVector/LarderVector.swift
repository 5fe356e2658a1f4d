// The LarderVector module; see docs/architecture.md for what it will contain.
