#!/usr/bin/env bash
# Gradescope runs this once when the autograder image is built (Ubuntu, as root).
# Installs the pinned requirements; torch comes from the CPU-only index in requirements.txt.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
if ! command -v python3 >/dev/null || ! python3 -m pip --version >/dev/null 2>&1; then
    apt-get update -q
    apt-get install -y -q python3 python3-pip python3-venv
fi
python3 -m pip install --no-cache-dir --upgrade pip
python3 -m pip install --no-cache-dir -r requirements.txt
