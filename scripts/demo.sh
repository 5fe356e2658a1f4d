#!/usr/bin/env bash
# The README demo. For now it only shows the command-line tool; later steps
# start the server, import the bundled recipes and query by photo.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "larder demo: built $(.build/release/larder version)"
.build/release/larder --help
