#!/usr/bin/env bash
# Regenerates the parity fixtures the Swift tests compare against:
# NLTK tokenizations of real recipe lines and PyTorch outputs of the recipe
# encoder with small seeded weights. Needs ../shared/data for the recipe lines.
# Usage: tools/make-fixtures.sh   (VENV=/path/to/venv to skip creating tools/.venv)
source "$(dirname "$0")/python-env.sh"
ROOT="$(cd "$TOOLS_DIR/.." && pwd)"
"$PYTHON" "$TOOLS_DIR/make_recipe_fixtures.py" --out "$ROOT/Tests/LarderModelsTests/Fixtures" \
    --dtypes-out "$ROOT/Tests/LarderWeightsTests/Fixtures/dtypes.safetensors"
"$PYTHON" "$TOOLS_DIR/make_tokenizer_fixtures.py" --recipes "$ROOT/../shared/data/recipes.jsonl" \
    --out "$ROOT/Tests/LarderTextTests/Fixtures/nltk-tokens.json"
