// The LarderServer module; see docs/architecture.md for what it will contain.
