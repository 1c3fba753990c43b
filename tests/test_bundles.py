"""The Gradescope and student zips: contents, reproducibility, and running the bundle."""
from __future__ import annotations

import json
import zipfile

from platform_helpers import OTHER_REFERENCE, TOY_REFERENCE, cvgrade, find_python, validate_results


def build(root, out):
    proc = cvgrade("build", "-o", str(out), root=root)
    assert proc.returncode == 0, proc.stderr
    return out / "hw0-autograder.zip", out / "hw0-student.zip"


def test_zips_are_byte_reproducible(toy_root, tmp_path):
    first = build(toy_root, tmp_path / "a")
    second = build(toy_root, tmp_path / "b")
    for one, two in zip(first, second, strict=True):
        assert one.read_bytes() == two.read_bytes()


def test_autograder_zip_layout(toy_root, tmp_path):
    bundle, _ = build(toy_root, tmp_path)
    with zipfile.ZipFile(bundle) as archive:
        names = set(archive.namelist())
        modes = {i.filename: i.external_attr >> 16 for i in archive.infolist()}
    assert {"setup.sh", "run_autograder", "requirements.txt", "course.yaml"} <= names
    assert modes["run_autograder"] & 0o111 and modes["setup.sh"] & 0o111
    assert {"solutions/hw0/toy.py", "solutions/hw0/tests/test_toy_hidden.py",
            "assignments/hw0/tests/test_toy.py", "autograder/isolation/worker.py"} <= names
    assert not any("/mutants/" in n or "/alternatives/" in n or n.endswith(".ipynb") for n in names)


def test_student_zip_has_no_solutions(toy_root, tmp_path):
    _, release = build(toy_root, tmp_path)
    with zipfile.ZipFile(release) as archive:
        names = set(archive.namelist())
        stub = archive.read("hw0/toy.py").decode()
        readme = archive.read("hw0/README.md").decode()
    assert {"hw0/toy.py", "hw0/other.py", "hw0/tests/test_toy.py", "hw0/pytest.ini",
            "hw0/shared/asserts.py", "hw0/requirements.txt", "hw0/submit.py",
            "hw0/shared/submit.py", "hw0/shared/notebook_checks.py", "hw0/shared/source_checks.py"} <= names
    assert not any("solutions" in n or "hidden" in n or "mutants" in n or "autograder/" in n for n in names)
    assert "NotImplementedError" in stub and "return 2 *" not in stub
    assert "10 points" in readme and "toy.py` may not import: scipy" in readme
    assert "hw0/setup_env.py" in names and "python3 setup_env.py" in readme and "py setup_env.py" in readme


def test_student_setup_refuses_an_unsupported_python_with_the_way_out(toy_root, tmp_path):
    import subprocess

    import pytest

    old = find_python("3.10")
    if old is None:
        pytest.skip("no Python 3.10 on this machine to play an unsupported version")
    folder = _toy_release(toy_root, tmp_path)
    proc = subprocess.run([old, "setup_env.py"], cwd=folder, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "needs Python 3.11, 3.12, 3.13" in proc.stdout, proc.stdout + proc.stderr
    assert not (folder / ".venv").exists()


def test_simulate_runs_the_bundle_as_gradescope_does(toy_root, tmp_path):
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "toy.py").write_text(TOY_REFERENCE)
    (submission / "other.py").write_text(OTHER_REFERENCE)
    out = tmp_path / "results.json"
    proc = cvgrade("simulate", "hw0", str(submission), "--json", str(out), "--dist", str(tmp_path / "dist"),
                   root=toy_root)
    assert proc.returncode == 0, proc.stderr
    document = json.loads(out.read_text())
    validate_results(document)
    assert document["score"] == 10


def test_run_autograder_leaves_valid_results_when_the_grader_cannot_start(toy_root, tmp_path):
    import subprocess

    bundle, _ = build(toy_root, tmp_path)
    root = tmp_path / "gs"
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(root / "source")
    (root / "source" / "autograder" / "__main__.py").write_text("raise SystemExit('broken install')\n")
    (root / "submission").mkdir()
    # As Gradescope runs it: a copy at the root, run from the root (not from source/).
    (root / "run_autograder").write_bytes((root / "source" / "run_autograder").read_bytes())
    subprocess.run(["bash", str(root / "run_autograder")], cwd=root, env={"AUTOGRADER_ROOT": str(root),
                   "PATH": "/usr/bin:/bin"}, check=True, capture_output=True)
    document = json.loads((root / "results" / "results.json").read_text())
    validate_results(document)
    assert document["score"] == 0 and "GRADER ERROR" in document["output"] and "not graded" in document["output"]
    assert "exit status 1" in document["output"]


def test_autograder_zip_is_root_only(toy_root, tmp_path):
    """Without namespaces on Gradescope, modes are what keep the reference from student code."""
    bundle, release = build(toy_root, tmp_path)
    with zipfile.ZipFile(bundle) as archive:
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in archive.infolist()}
    assert modes["solutions/hw0/toy.py"] == 0o600 and modes["run_autograder"] == 0o700
    assert all(mode & 0o077 == 0 for mode in modes.values()), modes
    with zipfile.ZipFile(release) as archive:
        assert {(i.external_attr >> 16) & 0o777 for i in archive.infolist()} == {0o644}


def test_setup_sh_owns_its_python(toy_root, tmp_path):
    """setup.sh never pip-installs into the image's Python (PEP 668) and pins the grader's own."""
    bundle, _ = build(toy_root, tmp_path)
    with zipfile.ZipFile(bundle) as archive:
        setup = archive.read("setup.sh").decode()
        run = archive.read("run_autograder").decode()
        requirements = archive.read("requirements.txt").decode()
    assert "{{" not in setup and "{{" not in run
    assert 'VENV="$ROOT/venv"' in setup and "python3 -m pip install" not in setup
    assert 'WANT="3.11"' in setup and 'PYTHON_PIN="3.11.13"' in setup
    assert 'SOURCE="$ROOT/source"' in run and 'PYTHON="$ROOT/venv/bin/python"' in run
    assert "--extra-index-url" not in requirements
    proc = __import__("subprocess").run(["bash", "-n", "-c", setup], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def _toy_release(toy_root, tmp_path):
    _, release = build(toy_root, tmp_path / "dist")
    with zipfile.ZipFile(release) as archive:
        archive.extractall(tmp_path / "release")
    return tmp_path / "release" / "hw0"


def _run(folder, *command):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("CVGRADE_")}
    return subprocess.run([sys.executable, *command], cwd=folder, capture_output=True, text=True, timeout=120,
                          env=env, stdin=subprocess.DEVNULL)


def test_submit_refuses_a_forbidden_import_and_a_broken_import(toy_root, tmp_path):
    folder = _toy_release(toy_root, tmp_path)
    (folder / "other.py").write_text(OTHER_REFERENCE)
    (folder / "toy.py").write_text("import numpy as np\nfrom scipy import signal\n" + TOY_REFERENCE)
    proc = _run(folder, "-m", "submit", "--no-tests")
    assert proc.returncode == 1 and "toy.py line 2 imports scipy" in proc.stdout, proc.stdout + proc.stderr
    (folder / "toy.py").write_text("raise RuntimeError('boom')\n")
    proc = _run(folder, "-m", "submit", "--no-tests")
    assert proc.returncode == 1 and "importing toy.py failed: RuntimeError: boom" in proc.stdout, proc.stdout
    assert not (folder / "hw0-submission.zip").exists()
    (folder / "toy.py").write_text(TOY_REFERENCE)
    proc = _run(folder, "-m", "submit")
    assert proc.returncode == 0 and "public tests: 3 of 3 passed" in proc.stdout, proc.stdout + proc.stderr
    assert (folder / "hw0-submission.zip").is_file()


def test_check_from_a_terminal_selects_tests_by_subject(toy_root, tmp_path):
    folder = _toy_release(toy_root, tmp_path)
    proc = _run(folder, "-m", "shared.notebook_checks", "add")
    assert proc.returncode == 1 and proc.stdout.startswith("check(add): 0 of 1 tests passed"), proc.stdout
    assert "FAIL  add: two numbers" in proc.stdout and "NotImplementedError: add: not implemented yet" in proc.stdout
    (folder / "toy.py").write_text(TOY_REFERENCE)
    proc = _run(folder, "-m", "shared.notebook_checks", "add", "double")
    assert proc.returncode == 0 and "check(add, double): 2 of 2 tests passed" in proc.stdout, proc.stdout
    proc = _run(folder, "-m", "shared.notebook_checks", "nosuch")
    assert proc.returncode == 1 and "no public test is about nosuch" in proc.stdout


def test_simulate_copes_with_a_deep_folder_and_a_fifo(toy_root, tmp_path):
    """A hostile upload shape must not crash or stall simulate before the grader even runs."""
    import os
    import tempfile

    from autograder.isolation.cleanup import remove_tree

    scratch = tempfile.mkdtemp(dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    try:
        submission = os.path.join(scratch, "submission")
        os.makedirs(submission)
        with open(os.path.join(submission, "toy.py"), "w") as handle:
            handle.write(TOY_REFERENCE)
        with open(os.path.join(submission, "other.py"), "w") as handle:
            handle.write(OTHER_REFERENCE)
        os.mkfifo(os.path.join(submission, "extra.zip"))
        deep = os.open(submission, os.O_RDONLY)
        for _ in range(1200):                  # deeper than Python's recursion limit
            os.mkdir("d", dir_fd=deep)
            inner = os.open("d", os.O_RDONLY, dir_fd=deep)
            os.close(deep)
            deep = inner
        os.close(deep)
        out = tmp_path / "results.json"
        proc = cvgrade("simulate", "hw0", submission, "--json", str(out), "--dist", str(tmp_path / "dist"),
                       root=toy_root)
        assert proc.returncode == 0, proc.stderr
        document = json.loads(out.read_text())
        validate_results(document)
        assert document["score"] == 10
    finally:
        assert remove_tree(scratch) == []
