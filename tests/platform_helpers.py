"""Helpers for the platform's own tests: the repository, and a tiny course to grade against.

The tiny course ("toy", 10 points) keeps these tests fast and their expected scores exact,
independent of the real homeworks (whose soundness `cvgrade check` proves separately).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import jsonschema

REPO = Path(__file__).resolve().parents[1]
# The pytest-xdist group (``make test`` runs two workers) of the tests that look at machine-wide state:
# they run one at a time, in one worker (tests/conftest.py).
MACHINE_WIDE = "machine-wide"
SPEC_SCHEMA = REPO / "docs" / "spec" / "gradescope-results.schema.json"
SCHEMA = json.loads((REPO / "autograder" / "grading" / "schema" / "results.schema.json").read_text())

TOY_COURSE = """
course: {name: Toy course, term: Test}
weights: {hw0: 100}
assignments:
  - id: hw0
    title: Toy
    points: 10
    files: [toy.py, other.py]
    due: 2027-01-01T00:00:00+00:00
    visibility: {public: visible, hidden: after_published}
    limits: {per_call_s: 2, total_s: 60, memory_mb: 1024, cpu_s: 60}
    requirements: [numpy==2.4.6]
    forbidden_imports: {toy.py: [scipy]}
"""

TOY_REFERENCE = '''
import numpy as np


def double(x):
    return 2 * np.asarray(x, dtype=np.float64)


def add(a, b):
    return a + b


def bad_arg(mode):
    if mode not in ("a", "b"):
        raise ValueError(f"mode must be 'a' or 'b', got {mode!r}")
    return mode
'''

TOY_STUB = '''
def double(x):
    raise NotImplementedError("double: not implemented yet")


def add(a, b):
    raise NotImplementedError("add: not implemented yet")


def bad_arg(mode):
    raise NotImplementedError("bad_arg: not implemented yet")
'''

OTHER_REFERENCE = '''
def triple(x):
    return 3 * x
'''

PUBLIC_TESTS = '''
import numpy as np
import pytest

from shared.asserts import assert_close, assert_raises, assert_scalar_close


@pytest.mark.points(2)
def test_double(hw):
    """double: a small array"""
    assert_close(hw.toy.double(np.arange(3.0)), [0.0, 2.0, 4.0])


@pytest.mark.points(1)
def test_add(hw):
    """add: two numbers"""
    assert_scalar_close(hw.toy.add(1.5, 2.0), 3.5)


@pytest.mark.points(1)
def test_bad_arg(hw):
    """bad_arg: ValueError naming mode"""
    assert_raises(ValueError, hw.toy.bad_arg, "c", mentions=["mode"])
'''

HIDDEN_TESTS = '''
import pytest

from shared.asserts import assert_close, assert_scalar_close


@pytest.mark.points(3)
def test_double_random(hw, ref, rng):
    """double: random input"""
    x = rng.normal(size=(4, 5))
    assert_close(hw.toy.double(x), ref.toy.double(x))


@pytest.mark.points(3)
def test_triple(hw):
    """triple: an integer"""
    assert_scalar_close(hw.other.triple(2), 6)
'''


def cvgrade(*args: str, root: Path = REPO, timeout: float = 300,
            env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the cvgrade command as a user would (``env``: extra environment variables)."""
    return subprocess.run([sys.executable, "-m", "autograder", "--root", str(root), *args],
                          capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL, cwd=REPO,
                          env={**os.environ, **(env or {})})


def validate_results(document: dict) -> None:
    """Against the course's schema and, when present, the spec's copy of it."""
    jsonschema.validate(document, SCHEMA)
    if SPEC_SCHEMA.is_file():
        jsonschema.validate(document, json.loads(SPEC_SCHEMA.read_text()))
    assert abs(document["score"] - sum(t["score"] for t in document["tests"])) < 1e-9


def grade_sources(root: Path, tmp_path: Path, sources: dict[str, str], *extra: str, env: dict | None = None) -> dict:
    """Grade a submission made of ``sources`` ({file name: code}); return its results.json."""
    submission = tmp_path / "submission"
    submission.mkdir(parents=True, exist_ok=True)
    for name, code in sources.items():
        (submission / name).write_text(textwrap.dedent(code))
    out = tmp_path / "results.json"
    proc = cvgrade("grade", "hw0", str(submission), "--json", str(out), *extra, root=root, env=env)
    assert out.is_file(), proc.stderr
    document = json.loads(out.read_text())
    validate_results(document)
    document["_stdout"] = proc.stdout
    return document


def find_python(version: str) -> str | None:
    """An interpreter of exactly ``version`` ("3.12") on this machine (PATH or pyenv), or None."""
    import glob
    import shutil

    candidates = [shutil.which(f"python{version}"), *sorted(glob.glob(f"/root/.pyenv/versions/{version}.*/bin/python"))]
    for candidate in filter(None, candidates):
        proc = subprocess.run([candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                              capture_output=True, text=True)
        if proc.returncode == 0 and proc.stdout.strip() == version:
            return candidate
    return None
