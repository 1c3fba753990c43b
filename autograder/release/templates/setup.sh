#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (the zip is unpacked
# into /autograder/source). It owns its Python: whatever python3 the base image has (3.10 on
# Ubuntu 22.04, 3.12 on 24.04, a PEP 668 "externally managed" one), the grader runs in a
# CPython {{PYTHON_VERSION}} venv at /autograder/venv. Where it comes from, first that works:
#   1. a python{{PYTHON_VERSION}} already on the image;
#   2. the distribution's packages (apt: python{{PYTHON_VERSION}} + python{{PYTHON_VERSION}}-venv;
#      in Ubuntu 22.04's universe, Debian 12's main);
#   3. uv (from PyPI) installing the pinned standalone CPython {{PYTHON_PIN}} under /autograder/python.
# torch (where the homework needs it) comes from the CPU-only index in course.yaml, or from PyPI
# when that index does not answer. Anything that cannot be installed stops the build with one
# line saying what.
set -euo pipefail
SOURCE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$SOURCE")"
VENV="$ROOT/venv"
WANT="{{PYTHON_VERSION}}"
TORCH_INDEX="{{TORCH_INDEX}}"
UV_PIN="{{UV_PIN}}"
PYTHON_PIN="{{PYTHON_PIN}}"
export DEBIAN_FRONTEND=noninteractive PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
PIP_NET=(--timeout 30 --retries 2)

log() { printf 'setup.sh: %s\n' "$*"; }
fail() { printf 'setup.sh: FAILED: %s\n' "$*" >&2; exit 1; }

usable() {   # a Python $WANT that can make a venv with pip
    "$1" -c "import sys, venv, ensurepip; sys.exit(sys.version_info[:2] != tuple(map(int, '$WANT'.split('.'))))" \
        >/dev/null 2>&1
}

find_python() {
    local candidate path
    for candidate in "python$WANT" "/usr/bin/python$WANT" "/usr/local/bin/python$WANT" \
                     "$ROOT"/python/cpython-"$WANT"*/bin/python"$WANT"; do
        path="$(command -v "$candidate" 2>/dev/null)" || continue
        if usable "$path"; then echo "$path"; return 0; fi
    done
    return 1
}

from_apt() {
    command -v apt-get >/dev/null 2>&1 || return 1
    log "installing python$WANT from the distribution's packages"
    timeout 600 apt-get update -q >/dev/null || return 1
    timeout 900 apt-get install -y -q --no-install-recommends "python$WANT" "python$WANT-venv" ca-certificates \
        >/dev/null || return 1
}

from_uv() {
    # uv's wheel from PyPI holds one static binary; fetched with whatever python3 the image has
    # (stdlib only: no pip needed, so PEP 668 does not apply).
    local py3 tool="$ROOT/uv"
    py3="$(command -v python3 2>/dev/null)" || return 1
    log "installing CPython $PYTHON_PIN with uv $UV_PIN"
    "$py3" - "$UV_PIN" "$tool" <<'PY' || return 1
import hashlib, io, json, platform, sys, urllib.parse, urllib.request, zipfile
version, target = sys.argv[1], sys.argv[2]
arch = {"x86_64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}[platform.machine()]
index = "https://pypi.org/pypi/uv/json"
with urllib.request.urlopen(index, timeout=30) as reply:
    files = json.load(reply)["releases"][version]
wheel = next(f for f in files if f["filename"].endswith(".whl") and "manylinux" in f["filename"]
             and arch in f["filename"] and "musl" not in f["filename"])
with urllib.request.urlopen(urllib.parse.urljoin(index, wheel["url"]), timeout=120) as reply:
    data = reply.read()
if hashlib.sha256(data).hexdigest() != wheel["digests"]["sha256"]:
    sys.exit("uv wheel: sha256 mismatch")
with zipfile.ZipFile(io.BytesIO(data)) as archive:
    name = next(n for n in archive.namelist() if n.endswith("/scripts/uv"))
    with open(f"{target}", "wb") as out:
        out.write(archive.read(name))
PY
    chmod 755 "$tool"
    UV_PYTHON_INSTALL_DIR="$ROOT/python" timeout 900 "$tool" python install "$PYTHON_PIN" || return 1
    chmod -R a+rX "$ROOT/python"
}

PY="$(find_python)" || { from_apt && PY="$(find_python)"; } || { from_uv && PY="$(find_python)"; } \
    || fail "no CPython $WANT: not on the image, not from apt, not from uv (is the network up?)"
log "using $PY ($("$PY" -V 2>&1))"

rm -rf "$VENV"
"$PY" -m venv "$VENV" || fail "$PY -m venv $VENV did not work"
PIP=("$VENV/bin/python" -m pip install -q --no-cache-dir "${PIP_NET[@]}")

torch_pin="$(grep -E '^torch==' "$SOURCE/requirements.txt" || true)"
if [ -n "$torch_pin" ]; then
    if "$VENV/bin/python" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=15)" \
            "$TORCH_INDEX/torch/" >/dev/null 2>&1; then
        log "installing $torch_pin (CPU build) from $TORCH_INDEX"
        "${PIP[@]}" --extra-index-url "$TORCH_INDEX" "$torch_pin" || fail "pip could not install $torch_pin"
    else
        log "the torch index $TORCH_INDEX does not answer: installing $torch_pin from PyPI instead"
        "${PIP[@]}" "$torch_pin" || fail "pip could not install $torch_pin from PyPI either"
    fi
fi
log "installing requirements.txt"
"${PIP[@]}" -r "$SOURCE/requirements.txt" || fail "pip could not install $SOURCE/requirements.txt"

# Prove the grader starts before Gradescope calls the image good.
(cd "$SOURCE" && "$VENV/bin/python" -m autograder --root "$SOURCE" list >/dev/null) \
    || fail "the grader does not start in $VENV (python -m autograder list failed)"

# The sandbox user runs the venv's interpreter: readable by all. The course (reference, hidden
# tests) is root-only: without namespaces, ownership is what keeps it from student code.
chmod 755 "$ROOT"
chmod -R a+rX "$VENV"
chmod -R go-rwx "$SOURCE"
log "done: $("$VENV/bin/python" -V 2>&1) in $VENV"
