#!/usr/bin/env bash
# Installs the Debian packages Larder builds and tests with, when missing.
# Safe to run repeatedly: it calls apt-get only when something is absent.
# Arguments name extra packages a caller needs (benchmarks/server-bench.sh
# needs redis-server).
set -euo pipefail

packages=(libopenblas-dev liblz4-dev libturbojpeg0-dev libpng-dev libwebp-dev redis-tools python3-venv "$@")

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

if ((${#missing[@]} == 0)); then
    exit 0
fi

echo "larder: installing Debian packages: ${missing[*]}"
sudo=""
if [[ $(id -u) -ne 0 ]]; then
    sudo="sudo"
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
