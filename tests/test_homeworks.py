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

from autograder.course.config import load_course
from autograder.release.bundles import RELEASE_PYTEST_INI

COURSE = load_course(REPO / "course.yaml")
HOMEWORKS = [a.id for a in COURSE.assignments if (REPO / "assignments" / a.id / "tests").is_dir()
             and any((REPO / "assignments" / a.id / "tests").glob("test_*.py"))]


@pytest.mark.parametrize("hw", HOMEWORKS)
def test_cvgrade_check(hw):
    proc = cvgrade("check", hw, timeout=900)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    assert "all checks passed" in proc.stdout


def _execute(notebook, folder: Path, timeout: int = 120):
    import nbclient

    client = nbclient.NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                                     resources={"metadata": {"path": str(folder)}})
    client.execute()
    return notebook


def _errors(notebook) -> list:
    return [o for cell in notebook.cells for o in cell.get("outputs", []) if o.get("output_type") == "error"]


def _check_cells(notebook) -> list:
    return [c for c in notebook.cells if "check" in c.get("metadata", {}).get("tags", [])]


def _text(cell) -> str:
    return "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in cell.get("outputs", []))


@pytest.mark.parametrize("hw", HOMEWORKS)
def test_notebook_executes_against_the_reference(hw, tmp_path):
    """The notebook runs top to bottom on the reference, and its check cells report all tests passed."""
    nbformat = pytest.importorskip("nbformat")
    notebook = REPO / "assignments" / hw / f"{hw}.ipynb"
    shutil.copy(notebook, tmp_path)
    for name in COURSE.assignment(hw).files:
        shutil.copy(REPO / "solutions" / hw / name, tmp_path / name)
    shutil.copytree(REPO / "shared", tmp_path / "shared", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "assignments" / hw / "tests", tmp_path / "tests",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "pytest.ini").write_text(RELEASE_PYTEST_INI)
    nb = _execute(nbformat.read(tmp_path / notebook.name, as_version=4), tmp_path)
    assert _errors(nb) == []
    checks = _check_cells(nb)
    assert checks, f"{hw}.ipynb has no check cells (code cells tagged 'check')"
    for cell in checks:
        text = _text(cell)
        assert "tests passed" in text and "FAIL" not in text, (cell.source, text)
        passed, total = text.split("tests passed")[0].split(":")[-1].split(" of ")
        assert int(passed) == int(total) > 0, (cell.source, text)


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


def _run_first_check_cell(release: Path, hw: str) -> str:
    """The notebook's first check cell alone, in a kernel in the release folder: its output.

    One cell is enough here: every cell passing on the reference is proven by
    test_notebook_executes_against_the_reference (the release ships that notebook byte for
    byte), and every public test failing on the stubs by plain pytest below. What this adds is
    ``check`` working from the unpacked release and naming the stubs' NotImplementedError; each
    further cell would cost one more pytest process (a torch import) and prove nothing new.
    """
    nbformat = pytest.importorskip("nbformat")
    notebook = nbformat.read(release / f"{hw}.ipynb", as_version=4)
    cells = _check_cells(notebook)[:1]
    assert cells, f"{hw}.ipynb has no check cells (code cells tagged 'check')"
    notebook.cells = [nbformat.v4.new_code_cell("from shared.notebook_checks import check")] + cells
    executed = _execute(notebook, release, timeout=300)
    assert _errors(executed) == []
    return _text(executed.cells[1])


def _submit(release: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "submit", *args], cwd=release, capture_output=True, text=True,
                          timeout=600, stdin=subprocess.DEVNULL,
                          env={k: v for k, v in os.environ.items() if not k.startswith("CVGRADE_")})


@pytest.mark.parametrize("hw", HOMEWORKS)
def test_student_release_as_a_student_uses_it(hw, tmp_path):
    """Unpack the release; public tests, a check cell and submit on the stubs, then submit on the reference."""
    release = _unpack_release(hw, tmp_path)
    files = COURSE.assignment(hw).files
    (release / "DISCLOSURE.md").write_text("Collaborators: none\nSources: none\n")   # submit requires it
    stubs = _pytest_json(release)
    assert stubs and set(stubs.values()) == {"failed"}, stubs        # every test fails, none errors
    text = _run_first_check_cell(release, hw)
    assert text.startswith("check(") and " 0 of " in text and "NotImplementedError" in text, text

    (release / files[0]).rename(tmp_path / files[0])                  # a file missing: refused
    proc = _submit(release, "--no-tests")
    assert proc.returncode == 1 and f"{files[0]} is missing" in proc.stdout, proc.stdout + proc.stderr
    assert not (release / f"{hw}-submission.zip").exists()
    (tmp_path / files[0]).rename(release / files[0])

    proc = _submit(release, "--no-tests")                             # untouched stubs: refused
    assert proc.returncode == 1 and "still raising NotImplementedError" in proc.stdout, proc.stdout + proc.stderr
    assert not (release / f"{hw}-submission.zip").exists()
    proc = _submit(release, "--no-tests", "--allow-unfinished")       # ...unless on purpose
    assert proc.returncode == 0 and (release / f"{hw}-submission.zip").exists(), proc.stdout + proc.stderr
    (release / f"{hw}-submission.zip").unlink()

    # The reference: submit's summary runs every public test (the check cells' passing on the
    # reference is proven by test_notebook_executes_against_the_reference).
    for name in files:
        shutil.copy(REPO / "solutions" / hw / name, release / name)
    proc = _submit(release)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"public tests: {len(stubs)} of {len(stubs)} passed" in proc.stdout, proc.stdout
    with zipfile.ZipFile(release / f"{hw}-submission.zip") as archive:
        assert sorted(archive.namelist()) == sorted([*files, "DISCLOSURE.md"])


@pytest.mark.parametrize("hw", HOMEWORKS)
def test_simulate_gives_the_reference_full_marks(hw, tmp_path):
    out = tmp_path / "results.json"
    proc = cvgrade("simulate", hw, str(REPO / "solutions" / hw), "--json", str(out), "--dist", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    document = json.loads(out.read_text())
    validate_results(document)
    assert document["score"] == COURSE.assignment(hw).points
