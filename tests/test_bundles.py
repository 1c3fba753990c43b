"""The Gradescope and student zips: contents, reproducibility, and running the bundle."""
from __future__ import annotations

import json
import zipfile

from platform_helpers import OTHER_REFERENCE, TOY_REFERENCE, cvgrade, validate_results


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
            "assignments/hw0/tests/test_toy.py", "autograder/worker.py"} <= names
    assert not any("mutants" in n or n.endswith(".ipynb") for n in names)


def test_student_zip_has_no_solutions(toy_root, tmp_path):
    _, release = build(toy_root, tmp_path)
    with zipfile.ZipFile(release) as archive:
        names = set(archive.namelist())
        stub = archive.read("hw0/toy.py").decode()
        readme = archive.read("hw0/README.md").decode()
    assert {"hw0/toy.py", "hw0/other.py", "hw0/tests/test_toy.py", "hw0/conftest.py",
            "hw0/shared/asserts.py", "hw0/requirements.txt"} <= names
    assert not any("solutions" in n or "hidden" in n or "mutants" in n or "autograder/" in n for n in names)
    assert "NotImplementedError" in stub and "return 2 *" not in stub
    assert "10 points" in readme and "toy.py` may not import: scipy" in readme


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
    subprocess.run(["bash", str(root / "source" / "run_autograder")], env={"AUTOGRADER_ROOT": str(root),
                   "PATH": "/usr/bin:/bin"}, check=True, capture_output=True)
    document = json.loads((root / "results" / "results.json").read_text())
    validate_results(document)
    assert document["score"] == 0 and "could not start" in document["output"]
