#!/usr/bin/env bash
# The README demo: serve the bundled model on a temporary data directory,
# import the bundled based.cooking recipes, search them with a bundled photo,
# and stop the server cleanly. `make demo` builds Larder and fetches the
# backbone weights before running this.
set -euo pipefail
cd "$(dirname "$0")/.."

larder=.build/release/larder
port="${LARDER_DEMO_PORT:-7399}"
data="$(mktemp -d -t larder-demo.XXXXXX)"
log="$data/server.log"
photo="${LARDER_DEMO_PHOTO:-demo/photos/lasagna.webp}"
server_pid=""

step() { printf '\n==> %s\n' "$*"; }

cleanup() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$data"
}
trap cleanup EXIT

if [[ ! -f models/larder-default.safetensors ]]; then
    echo "larder demo: the bundled model models/larder-default.safetensors is missing" >&2
    exit 1
fi

if [[ "$(redis-cli -p "$port" PING 2>/dev/null)" == "PONG" ]]; then
    echo "larder demo: port $port is already in use; set LARDER_DEMO_PORT to a free port" >&2
    exit 1
fi

step "Starting larder serve on 127.0.0.1:$port (data in $data)"
"$larder" serve --port "$port" --dir "$data/db" --model models/larder-default.safetensors > "$log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
    if grep -q "listening" "$log" && [[ "$(redis-cli -p "$port" PING 2>/dev/null)" == "PONG" ]]; then
        break
    fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "larder demo: the server exited during start-up:" >&2
        cat "$log" >&2
        exit 1
    fi
    sleep 0.2
done
if ! grep -q "listening" "$log"; then
    echo "larder demo: the server did not start listening:" >&2
    cat "$log" >&2
    exit 1
fi
grep "listening\|model loaded" "$log" | sed 's/^/    /'

step "Importing $(wc -l < demo/recipes.jsonl) public-domain recipes from demo/recipes.jsonl"
"$larder" import --port "$port" --key recipes demo/recipes.jsonl

step "Searching the recipes with the photo $photo"
"$larder" query --port "$port" --key recipes --image "$photo" --count 5

# Each bundled photo shows a dish whose recipe is in the sample (id based-NAME):
# report where that recipe ranks, so the demo shows the model's hits and misses.
step "Where each bundled photo ranks its own recipe among $(wc -l < demo/recipes.jsonl)"
for image in demo/photos/*.webp; do
    name="$(basename "$image" .webp)"
    # The table's first column is the rank and its last the element id.
    rank="$("$larder" query --port "$port" --key recipes --image "$image" --count 100 \
        | awk -v id="based-$name" '$NF == id { print $1 }')"
    echo "    $name.webp: its recipe based-$name ranks ${rank:-below 100}"
done

step "Searching with a recipe that is not in the sample: demo/query-recipe.json"
"$larder" query --port "$port" --key recipes --recipe demo/query-recipe.json --count 3

step "Stopping the server (SIGTERM)"
kill -TERM "$server_pid"
wait "$server_pid"
server_pid=""
tail -n 2 "$log" | sed 's/^/    /'
echo
echo "Done. Next: README.md shows how to serve your own recipes."
