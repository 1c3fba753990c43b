"""The two zips a homework ships as, and running the Gradescope one locally.

``hwN-autograder.zip`` (uploaded to Gradescope): ``setup.sh`` and ``run_autograder`` at the
root, then the grader (``autograder/``, ``shared/``, ``course.yaml``), the public tests, the
reference and the hidden tests, laid out as in the repository. No mutants, no notebooks.

``hwN-student.zip`` (the release): ``hwN/`` with the stubs, public tests, notebook, README,
requirements and the ``shared/`` helpers the tests import. No solutions, hidden tests or
mutants (the tests in tests/ check this).

Both are byte-reproducible: entries sorted, timestamps fixed, permissions normalised.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from autograder.config import Assignment, Course
from autograder.errors import UserError

_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_TEMPLATES = Path(__file__).resolve().parent / "templates"
NOTEBOOK_REQUIREMENTS = ["matplotlib==3.11.2", "ipykernel==7.4.0"]


def _python_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                  and p.suffix in (".py", ".json"))


def write_zip(path: Path, entries: dict[str, bytes], executable: frozenset[str] = frozenset()) -> Path:
    """A reproducible zip: sorted names, fixed time, 0644/0755 modes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = ((0o100755 if name in executable else 0o100644) << 16)
            archive.writestr(info, entries[name])
    os.replace(tmp, path)
    return path


def _read(path: Path, what: str) -> bytes:
    if not path.is_file():
        raise UserError(f"{path}: {what} is missing")
    return path.read_bytes()


def _render(template: str, **values: str) -> bytes:
    text = (_TEMPLATES / template).read_text()
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    return text.encode()


def _requirements(course: Course, assignment: Assignment, extra: list[str] = ()) -> bytes:
    lines = []
    if assignment.uses_torch:
        lines.append(f"--extra-index-url {course.torch_index_url}")
    lines += [*assignment.requirements, *extra]
    return ("\n".join(lines) + "\n").encode()


def autograder_entries(course: Course, root: Path, hw: str) -> dict[str, bytes]:
    assignment = course.assignment(hw)
    entries: dict[str, bytes] = {
        "setup.sh": _render("setup.sh"),
        "run_autograder": _render("run_autograder", HW=hw),
        "requirements.txt": _requirements(course, assignment),
        "course.yaml": (root / "course.yaml").read_bytes(),
    }
    for package in ("autograder", "shared"):
        for path in _python_files(root / package):
            entries[path.relative_to(root).as_posix()] = path.read_bytes()
    for template in sorted((root / "autograder" / "templates").glob("*")):
        entries[template.relative_to(root).as_posix()] = template.read_bytes()
    for path in _python_files(root / "assignments" / hw / "tests"):
        entries[path.relative_to(root).as_posix()] = path.read_bytes()
    solutions = root / "solutions" / hw
    for name in assignment.files:
        entries[f"solutions/{hw}/{name}"] = _read(solutions / name, "the reference module")
    for path in _python_files(solutions / "tests"):
        entries[path.relative_to(root).as_posix()] = path.read_bytes()
    return entries


def student_entries(course: Course, root: Path, hw: str) -> dict[str, bytes]:
    assignment = course.assignment(hw)
    folder = root / "assignments" / hw
    forbidden = "\n".join(f"- `{module}` may not import: {', '.join(names)}"
                          for module, names in assignment.forbidden_imports.items()) or "- none"
    entries: dict[str, bytes] = {
        f"{hw}/README.md": _render("student_readme.md", HW=hw, TITLE=assignment.title,
                                   POINTS=f"{assignment.points:g}", DUE=assignment.due.isoformat(),
                                   FILES=", ".join(f"`{f}`" for f in assignment.files), FORBIDDEN=forbidden,
                                   COURSE=course.course.name),
        f"{hw}/requirements.txt": _requirements(course, assignment, NOTEBOOK_REQUIREMENTS),
        f"{hw}/conftest.py": _read(folder / "conftest.py", "the release's conftest.py"),
        f"{hw}/submit.py": _render("submit.py.in", HW=hw, SETTINGS=json.dumps({
            "hw": hw, "files": list(assignment.files), "forbidden": dict(assignment.forbidden_imports),
            "points": assignment.points, "due": assignment.due.isoformat()}, sort_keys=True)),
    }
    for name in assignment.files:
        entries[f"{hw}/{name}"] = _read(folder / name, "the stub module (course.yaml lists it)")
    notebook = folder / f"{hw}.ipynb"
    if notebook.is_file():
        entries[f"{hw}/{notebook.name}"] = notebook.read_bytes()
    for path in _python_files(folder / "tests"):
        entries[f"{hw}/{path.relative_to(folder).as_posix()}"] = path.read_bytes()
    for path in _python_files(root / "shared"):     # helpers and synthetic data; nothing secret
        entries[f"{hw}/{path.relative_to(root).as_posix()}"] = path.read_bytes()
    return entries


def build_all(course: Course, root: Path, hw: str, out_dir: Path) -> list[Path]:
    """Write both zips for ``hw`` into ``out_dir``; return their paths."""
    out_dir = Path(out_dir)
    return [
        write_zip(out_dir / f"{hw}-autograder.zip", autograder_entries(course, root, hw),
                  frozenset({"setup.sh", "run_autograder"})),
        write_zip(out_dir / f"{hw}-student.zip", student_entries(course, root, hw)),
    ]


def _copy_submission(paths: list[Path], target: Path) -> None:
    target.mkdir(parents=True)
    for path in paths:
        path = Path(path)
        if path.is_dir():
            shutil.copytree(path, target, symlinks=True, dirs_exist_ok=True)
        elif path.is_file():
            shutil.copy2(path, target / path.name)
        else:
            raise UserError(f"{path}: no such file or folder")


def simulate(course: Course, root: Path, hw: str, submission: list[Path], dist: Path) -> dict:
    """Build the autograder zip, run its run_autograder in a Gradescope-shaped temp root."""
    bundle = build_all(course, root, hw, dist)[0]
    with tempfile.TemporaryDirectory(prefix="cvgrade-gs-") as tmp:
        gs_root = Path(tmp)
        with zipfile.ZipFile(bundle) as archive:
            archive.extractall(gs_root / "source")
        _copy_submission(submission, gs_root / "submission")
        (gs_root / "results").mkdir()
        env = dict(os.environ, AUTOGRADER_ROOT=str(gs_root),
                   PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
        subprocess.run(["bash", str(gs_root / "source" / "run_autograder")], cwd=gs_root / "source",
                       env=env, stdin=subprocess.DEVNULL, check=False)
        results = gs_root / "results" / "results.json"
        if not results.is_file():
            raise UserError(f"{bundle}: run_autograder wrote no results.json")
        return json.loads(results.read_text())
