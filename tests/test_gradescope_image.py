"""The bundles where they really run: a clean Debian 12 root laid out as Gradescope lays it out.

``make gradescope-test`` (CI runs it after ``make test``): for HW0, HW1 and HW2, setup.sh runs
as root in a fresh root whose base image has no Python at all, then the root copy of
run_autograder grades the reference (full marks), the stubs (0) and a submission that tries
to read the reference (0, nothing leaked), all without CAP_SYS_ADMIN, as in Gradescope's Docker
container. A student, unprivileged in another fresh root, goes from the release zip to a
submission zip with only the README's commands; that zip then scores full marks. Separately,
the release works on Python 3.12 (and refuses 3.10 with the way out, in test_bundles).

The torch CPU index is not reachable from this machine: setup.sh must fall back to PyPI, and
the host's wheel folder (/opt/wheels, read-only, PIP_FIND_LINKS) stands in for the CPU build
that PyPI does not have.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from image_root import fresh_root, missing_tools, run
from platform_helpers import REPO, cvgrade, find_python, validate_results

from autograder.course.config import load_course

pytestmark = [pytest.mark.image, pytest.mark.skipif(missing_tools() is not None, reason=str(missing_tools()))]

COURSE = load_course(REPO / "course.yaml")
WHEELS = "/opt/wheels"


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    proc = cvgrade("build", "hw0", "hw1", "hw2", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    return out


def _thief(module: str, hw: str) -> str:
    """A submission module that looks for the reference anywhere it can and runs it."""
    import ast

    tree = ast.parse((REPO / "solutions" / hw / module).read_text())
    first = next(node for node in tree.body if isinstance(node, ast.FunctionDef | ast.ClassDef))
    marker = ("class " if isinstance(first, ast.ClassDef) else "def ") + first.name
    return f'''
import glob, os
_taken = []
_places = ["/autograder/source/solutions/{hw}/{module}"]
for _top in ("/autograder", "/tmp", "/root", "/home", "/opt", "/srv"):
    _places += glob.glob(_top + "/**/{module}", recursive=True)
for _path in _places:
    try:
        _source = open(_path).read()
    except OSError:
        continue
    if "NotImplementedError" not in _source and "{marker}" in _source:
        exec(compile(_source, _path, "exec"), globals())
        _taken.append(_path)
        break
print("THIEF", _taken, sorted(os.listdir("/autograder")) if os.access("/autograder", os.R_OK) else "no /autograder")
'''


class GradescopeImage:
    """One image per homework: setup.sh has run; ``grade`` runs run_autograder on a submission."""

    def __init__(self, root: Path, hw: str):
        self.root, self.hw = root, hw
        self.ag = root / "autograder"

    def grade(self, files: dict[str, bytes]) -> dict:
        submission, results = self.ag / "submission", self.ag / "results"
        shutil.rmtree(submission, ignore_errors=True)
        shutil.rmtree(results, ignore_errors=True)
        submission.mkdir()
        results.mkdir()
        for name, content in files.items():
            (submission / name).write_bytes(content)
        shutil.copyfile(self.ag / "source" / "run_autograder", self.ag / "run_autograder")
        (self.ag / "run_autograder").chmod(0o755)
        # A uid range of its own: the host's gradings (other tests, other engineers) kill leftover
        # processes of their uids, and this root's leases are not the host's.
        proc = run(self.root, "cd /autograder && ./run_autograder", env={"CVGRADE_SANDBOX_UID": "63000"}, timeout=900)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        document = json.loads((results / "results.json").read_text())
        validate_results(document)
        return document


# hw0 (numpy), hw1 (torch, a training probe), hw2 (probes that import the course's shared helpers)
@pytest.fixture(scope="module", params=["hw0", "hw1", "hw2"])
def image(request, dist, tmp_path_factory):
    hw = request.param
    with fresh_root(tmp_path_factory.mktemp(f"image-{hw}")) as root:
        source = root / "autograder" / "source"
        source.mkdir(parents=True)
        with zipfile.ZipFile(dist / f"{hw}-autograder.zip") as archive:
            archive.extractall(source)      # as Gradescope does: modes from the zip are not relied on
        proc = run(root, "cd /autograder/source && bash ./setup.sh", env={"PIP_FIND_LINKS": WHEELS},
                   binds=(WHEELS,), timeout=2400)
        assert proc.returncode == 0, f"setup.sh failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
        assert "using /usr/bin/python3.11" in proc.stdout, proc.stdout
        if COURSE.assignment(hw).uses_torch:
            assert "does not answer: installing torch==" in proc.stdout, proc.stdout
        yield GradescopeImage(root, hw)


def _files(folder: Path, hw: str) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in COURSE.assignment(hw).files}


def test_setup_sh_makes_the_course_root_only(image):
    source = image.ag / "source"
    assert (source.stat().st_mode & 0o077) == 0
    assert (source / "solutions").stat().st_mode & 0o077 == 0
    assert (image.ag / "venv").stat().st_mode & 0o005 == 0o005     # the sandbox user runs this Python


def test_reference_scores_full_marks(image):
    document = image.grade(_files(REPO / "solutions" / image.hw, image.hw))
    failed = [f"{t['name']}: {t.get('output', '')[:600]}" for t in document["tests"] if t["score"] != t["max_score"]]
    points = COURSE.assignment(image.hw).points
    assert document["score"] == points, document["output"] + "\n" + "\n".join(failed)
    assert not failed


def test_stubs_score_zero(image):
    document = image.grade(_files(REPO / "assignments" / image.hw, image.hw))
    assert document["score"] == 0 and document["tests"], document["output"]


def test_a_submission_that_reads_the_reference_gets_nothing(image):
    hw = image.hw
    files = {name: _thief(name, hw).encode() for name in COURSE.assignment(hw).files}
    document = image.grade(files)
    assert document["score"] == 0, document["output"]
    text = json.dumps(document)
    assert "THIEF []" in text or "GRADER ERROR" in document["output"], text[:3000]
    reference = (REPO / "solutions" / hw / COURSE.assignment(hw).files[0]).read_text()
    body_lines = [line.strip() for line in reference.splitlines() if len(line.strip()) > 40]
    assert not any(line in text for line in body_lines[:200]), "the reference's source reached results.json"


def test_a_student_goes_from_release_to_full_marks_with_the_readme_commands(dist, tmp_path_factory):
    """Unprivileged, in a clean root with only the README's prerequisite (python3 + venv)."""
    hw = "hw0"
    readme = zipfile.ZipFile(dist / f"{hw}-student.zip").read(f"{hw}/README.md").decode()
    assert "sudo apt install python3-venv" in readme and "python3 setup_env.py" in readme
    with fresh_root(tmp_path_factory.mktemp("student")) as root:
        proc = run(root, "apt-get update -q && apt-get install -y -q --no-install-recommends python3 python3-venv "
                         "ca-certificates && useradd -m -u 1000 student", timeout=900)
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
        home = root / "home" / "student"
        shutil.copyfile(dist / f"{hw}-student.zip", home / f"{hw}-student.zip")
        subprocess.run(["chown", "-R", "1000:1000", str(home)], check=True)

        def student(command: str, timeout: float = 1200) -> subprocess.CompletedProcess:
            return run(root, f"cd /home/student && {command}", user="student", timeout=timeout)

        proc = student(f"python3 -m zipfile -e {hw}-student.zip . && cd {hw} && python3 setup_env.py")
        assert proc.returncode == 0 and "Ready." in proc.stdout, proc.stdout[-3000:] + proc.stderr[-3000:]
        proc = student(f"cd {hw} && . .venv/bin/activate && pytest -q -p no:cacheprovider; echo EXIT=$?")
        summary = [line for line in proc.stdout.splitlines() if line.startswith(("EXIT=", "=")) or " in " in line]
        assert "EXIT=1" in proc.stdout and re.search(r"^\d+ failed in ", proc.stdout, re.M), proc.stdout[-2000:]
        assert not re.search(r"\d+ errors? in ", proc.stdout), summary   # stubs fail their tests, none errors
        proc = student(f"cd {hw} && . .venv/bin/activate && jupyter lab --version && python -m submit --no-tests")
        assert proc.returncode == 1 and "still raising NotImplementedError" in proc.stdout, proc.stdout + proc.stderr
        for name in COURSE.assignment(hw).files:           # the student finishes the homework
            shutil.copyfile(REPO / "solutions" / hw / name, home / hw / name)
        (home / hw / "DISCLOSURE.md").write_text("Collaborators: none\nSources: none\n")   # and discloses
        subprocess.run(["chown", "-R", "1000:1000", str(home / hw)], check=True)
        proc = student(f"cd {hw} && . .venv/bin/activate && python -m submit")
        assert proc.returncode == 0 and f"Wrote /home/student/{hw}/{hw}-submission.zip" in proc.stdout, (
            proc.stdout[-3000:] + proc.stderr[-3000:])
        upload = (home / hw / f"{hw}-submission.zip").read_bytes()
    with zipfile.ZipFile(__import__("io").BytesIO(upload)) as archive:
        assert sorted(archive.namelist()) == sorted([*COURSE.assignment(hw).files, "DISCLOSURE.md"])


def test_the_release_works_on_python_3_12(dist, tmp_path):
    python = find_python("3.12")
    if python is None:
        pytest.skip("no Python 3.12 on this machine")
    with zipfile.ZipFile(dist / "hw0-student.zip") as archive:
        archive.extractall(tmp_path)
    folder = tmp_path / "hw0"
    proc = subprocess.run([python, "setup_env.py"], cwd=folder, capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0 and "Ready." in proc.stdout, proc.stdout[-3000:] + proc.stderr[-3000:]
    venv_python = str(folder / ".venv" / "bin" / "python")
    for name in COURSE.assignment("hw0").files:
        shutil.copyfile(REPO / "solutions" / "hw0" / name, folder / name)
    (folder / "DISCLOSURE.md").write_text("Collaborators: none\nSources: none\n")
    proc = subprocess.run([venv_python, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=folder,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0 and " passed" in proc.stdout, proc.stdout[-3000:]
    proc = subprocess.run([venv_python, "-m", "submit", "--no-tests"], cwd=folder, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0 and (folder / "hw0-submission.zip").is_file(), proc.stdout + proc.stderr
