// The LarderModels module; see docs/architecture.md for what it will contain.
