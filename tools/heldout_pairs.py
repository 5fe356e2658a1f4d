"""Writes the held-out pairs of the bundled default model, for `larder eval`.

Usage: python3 tools/heldout_pairs.py DATA_DIR OUT.jsonl [IDS_FILE]

DATA_DIR contains pairs.jsonl and its photos. IDS_FILE (default
models/larder-default.heldout-ids.txt) lists the ids that `larder train`
held out, one per line. The output has one pair a line, in the ids' order,
with absolute photo paths, so that `larder eval --pairs OUT.jsonl` works
from any folder.
"""
import json
import os
import sys


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    data, output = sys.argv[1], sys.argv[2]
    ids_file = sys.argv[3] if len(sys.argv) == 4 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "models", "larder-default.heldout-ids.txt")
    held_out = [line.strip() for line in open(ids_file, encoding="utf-8") if line.strip()]
    pairs = {}
    with open(os.path.join(data, "pairs.jsonl"), encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                record = json.loads(line)
                pairs[record["id"]] = record
    missing = [identifier for identifier in held_out if identifier not in pairs]
    if missing:
        sys.exit(f"{len(missing)} held-out ids are not in {data}/pairs.jsonl, for example {missing[0]!r}; "
                 "check DATA_DIR")
    with open(output, "w", encoding="utf-8") as handle:
        for identifier in held_out:
            record = dict(pairs[identifier])
            record["image"] = os.path.abspath(os.path.join(data, record["image"]))
            handle.write(json.dumps(record) + "\n")
    print(f"wrote {len(held_out)} held-out pairs to {output}")


if __name__ == "__main__":
    main()
