"""Every homework that exists is sound: `cvgrade check`, the notebook, the student release.

These run the real homeworks (reference, stubs, every mutant) and are the slowest tests of
the suite; each homework is one parametrized case.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from platform_helpers import REPO, cvgrade, validate_results

from autograder.config import load_course

COURSE = load_course(REPO / "course.yaml")
HOMEWORKS = [a.id for a in COURSE.assignments if (REPO / "assignments" / a.id / "tests").is_dir()
             and any((REPO / "assignments" / a.id / "tests").glob("test_*.py"))]


@pytest.mark.parametrize("hw", HOMEWORKS)
def test_cvgrade_check(hw):
    proc = cvgrade("check", hw, timeout=900)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    assert "all checks passed" in proc.stdout


@pytest.mark.parametrize("hw", HOMEWORKS)
def test_notebook_executes_against_the_reference(hw, tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = REPO / "assignments" / hw / f"{hw}.ipynb"
    shutil.copy(notebook, tmp_path)
    for name in COURSE.assignment(hw).files:
        shutil.copy(REPO / "solutions" / hw / name, tmp_path / name)
    shutil.copytree(REPO / "shared", tmp_path / "shared", ignore=shutil.ignore_patterns("__pycache__"))
    nb = nbformat.read(tmp_path / notebook.name, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    errors = [o for cell in nb.cells for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []


def _unpack_release(hw: str, tmp_path: Path) -> Path:
    proc = cvgrade("build", hw, "-o", str(tmp_path / "dist"))
    assert proc.returncode == 0, proc.stderr
    with zipfile.ZipFile(tmp_path / "dist" / f"{hw}-student.zip") as archive:
        archive.extractall(tmp_path / "release")
    return tmp_path / "release" / hw


def _pytest_json(folder: Path) -> dict[str, str]:
    """{test id: outcome} of plain `pytest` in ``folder``, as a student runs it."""
    report = folder / ".outcomes.json"
    plugin = folder / "_outcomes_plugin.py"
    plugin.write_text(
        "import json\noutcomes = {}\n"
        "def pytest_runtest_logreport(report):\n"
        "    if report.when == 'call' or report.outcome != 'passed':\n"
        "        outcomes[report.nodeid] = outcomes.get(report.nodeid) if outcomes.get(report.nodeid) == 'error' "
        "else (report.outcome if report.when == 'call' else 'error')\n"
        f"def pytest_sessionfinish(session):\n    json.dump(outcomes, open({str(report)!r}, 'w'))\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CVGRADE_")}
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "_outcomes_plugin", "-p", "no:cacheprovider"],
                   cwd=folder, env={**env, "PYTHONPATH": str(folder)}, capture_output=True, text=True, timeout=600)
    plugin.unlink()
    return json.loads(report.read_text())


@pytest.mark.parametrize("hw", HOMEWORKS)
def test_student_release_runs_with_plain_pytest(hw, tmp_path):
    release = _unpack_release(hw, tmp_path)
    stubs = _pytest_json(release)
    assert stubs and set(stubs.values()) == {"failed"}, stubs        # every test fails, none errors
    for name in COURSE.assignment(hw).files:
        shutil.copy(REPO / "solutions" / hw / name, release / name)
    reference = _pytest_json(release)
    assert reference.keys() == stubs.keys() and set(reference.values()) == {"passed"}, reference


@pytest.mark.parametrize("hw", HOMEWORKS)
def test_simulate_gives_the_reference_full_marks(hw, tmp_path):
    out = tmp_path / "results.json"
    proc = cvgrade("simulate", hw, str(REPO / "solutions" / hw), "--json", str(out), "--dist", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    document = json.loads(out.read_text())
    validate_results(document)
    assert document["score"] == COURSE.assignment(hw).points
