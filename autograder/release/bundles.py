"""The two zips a homework ships as (``simulate.py`` runs the Gradescope one locally).

``hwN-autograder.zip`` (uploaded to Gradescope): ``setup.sh`` and ``run_autograder`` at the
root, then the grader (``autograder/``, ``shared/``, ``course.yaml``), the public tests, the
reference and the hidden tests, laid out as in the repository. No mutants, no notebooks.
Every entry is root-only (0600, scripts 0700): without namespaces, ownership is what keeps
the reference and hidden tests from student code (setup.sh and run_autograder re-apply it).
setup.sh installs its own CPython ``GRADER_PYTHON`` venv at ``/autograder/venv``.

``hwN-student.zip`` (the release): ``hwN/`` with the stubs, public tests, notebook, README,
requirements, ``setup_env.py`` (one-command set-up) and the ``shared/`` helpers the tests
import, the blank collaboration disclosure (``DISCLOSURE.md``) and, for the written questions,
``requirements-written.txt`` (otter-grader, optional). No solutions, hidden tests or mutants
(the tests in tests/ check this).

``hwN-written.md`` (for the instructor, only where the homework has written questions): how to
set up the TA-graded written part on Gradescope, its questions with points in page order.

Both are byte-reproducible: entries sorted, timestamps fixed, permissions normalised.
"""
from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

from autograder.course.config import PINS_FILE, Assignment, Course, pinned, read_pins
from autograder.course.layout import Homework
from autograder.errors import UserError
from shared import disclosure, written

_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_TEMPLATES = Path(__file__).resolve().parent / "templates"
# What a student needs beyond the grader's packages: plots and a notebook front end (JupyterLab
# brings ipykernel).
# Versions from constraints.txt, like every requirement.
NOTEBOOK_REQUIREMENTS = ["matplotlib", "jupyterlab"]
# The grader's Python on Gradescope, whatever the image has (setup.sh): the minor version, the
# exact CPython uv installs where the distribution has none, and uv itself (from PyPI).
GRADER_PYTHON, GRADER_PYTHON_PIN, UV_PIN = "3.11", "3.11.13", "0.13.9"
# Plain `pytest` in the release folder: shared/ importable, the course's fixtures and markers
# (hw, ref, rng, partial; points, visibility, ...) registered as a plugin.
RELEASE_PYTEST_INI = "[pytest]\npythonpath = .\naddopts = -p shared.pytest_plugin\n"
# The student's Python: versions every pinned package has wheels for (setup_env.py checks).
STUDENT_PYTHONS = ((3, 11), (3, 12), (3, 13))


def _python_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                  and p.suffix in (".py", ".json"))


def write_zip(path: Path, entries: dict[str, bytes], executable: frozenset[str] = frozenset(),
              private: bool = False) -> Path:
    """A reproducible zip: sorted names, fixed time, 0644/0755 modes (0600/0700 if ``private``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            mode = 0o755 if name in executable else 0o644
            info.external_attr = (0o100000 | (mode & 0o700 if private else mode)) << 16
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


def _requirements(course: Course, assignment: Assignment, extra: list[str] = (), torch_index: bool = True) -> bytes:
    """Pinned requirements; with ``torch_index`` a line naming the CPU-only torch index (the
    release: plain ``pip install -r`` works). The bundle leaves it out: setup.sh tries the index
    itself and falls back to PyPI when it does not answer."""
    lines = []
    if assignment.uses_torch and torch_index:
        lines.append(f"--extra-index-url {course.torch_index_url}")
    lines += [*assignment.requirements, *extra]
    return ("\n".join(lines) + "\n").encode()


def autograder_entries(homework: Homework) -> dict[str, bytes]:
    """What Gradescope gets: the grader, course.yaml, public and hidden tests, the reference modules."""
    course, root, hw, assignment = homework.course, homework.root, homework.id, homework.assignment
    entries: dict[str, bytes] = {
        "setup.sh": _render("setup.sh", PYTHON_VERSION=GRADER_PYTHON, PYTHON_PIN=GRADER_PYTHON_PIN, UV_PIN=UV_PIN,
                            TORCH_INDEX=course.torch_index_url.rstrip("/")),
        "run_autograder": _render("run_autograder", HW=hw),
        "requirements.txt": _requirements(course, assignment, torch_index=False),
        "course.yaml": (root / "course.yaml").read_bytes(),
    }
    if (root / PINS_FILE).is_file():          # course.yaml's versions (a course pinning in place has none)
        entries[PINS_FILE] = (root / PINS_FILE).read_bytes()
    for package in ("autograder", "shared"):
        for path in _python_files(root / package):
            entries[path.relative_to(root).as_posix()] = path.read_bytes()
    for template in sorted((root / "autograder" / "release" / "templates").glob("*")):
        entries[template.relative_to(root).as_posix()] = template.read_bytes()
    for path in _python_files(homework.public_tests):
        entries[path.relative_to(root).as_posix()] = path.read_bytes()
    for name in assignment.files:
        entries[(homework.reference / name).relative_to(root).as_posix()] = _read(homework.reference / name,
                                                                                 "the reference module")
    for path in _python_files(homework.hidden_tests):
        entries[path.relative_to(root).as_posix()] = path.read_bytes()
    return entries


def student_entries(homework: Homework) -> dict[str, bytes]:
    """What students download: stubs, public tests, notebook, shared helpers, set-up and submit scripts."""
    course, root, hw, assignment = homework.course, homework.root, homework.id, homework.assignment
    folder = homework.stubs
    pins = read_pins(root / PINS_FILE)
    # The written part ships only once the notebook has its cells (its source's written
    # directive): the README must not promise questions the notebook lacks.
    notebook = homework.notebook
    questions = assignment.written if notebook.is_file() and written.ANSWER_TAG.encode() in notebook.read_bytes() \
        else []
    forbidden = "\n".join(f"- `{module}` may not import: {', '.join(names)}"
                          for module, names in assignment.forbidden_imports.items()) or "- none"
    entries: dict[str, bytes] = {
        f"{hw}/README.md": _render("student_readme.md", HW=hw, TITLE=assignment.title,
                                   POINTS=f"{assignment.points:g}", DUE=assignment.due.isoformat(),
                                   FILES=", ".join(f"`{f}`" for f in assignment.files), FORBIDDEN=forbidden,
                                   COURSE=course.course.name,
                                   PYTHONS=" or ".join(f"{a}.{b}" for a, b in STUDENT_PYTHONS),
                                   WRITTEN=_written_section(assignment) if questions else "",
                                   DISCLOSURE_RULE=_DISCLOSURE_RULES[course.collaboration.missing_disclosure]),
        f"{hw}/setup_env.py": _render("setup_env.py.in", HW=hw, SUPPORTED=repr(STUDENT_PYTHONS),
                                      IMPORTS=repr(_student_imports(assignment))),
        f"{hw}/requirements.txt": _requirements(course, assignment, pinned(NOTEBOOK_REQUIREMENTS, pins, PINS_FILE)),
        f"{hw}/pytest.ini": RELEASE_PYTEST_INI.encode(),
        f"{hw}/submit.py": _render("submit.py.in", HW=hw, SETTINGS=json.dumps({
            "hw": hw, "files": list(assignment.files), "forbidden": dict(assignment.forbidden_imports),
            "points": assignment.points, "due": assignment.due.isoformat(),
            "disclosure": course.collaboration.missing_disclosure, "written": [q.id for q in questions],
            "written_points": assignment.written_points}, sort_keys=True)),
        f"{hw}/{disclosure.FILE_NAME}": disclosure.template(hw).encode(),
    }
    if questions:
        entries[f"{hw}/requirements-written.txt"] = (
            "# Only for exporting the written answers (python -m submit --written); the autograded\n"
            f"# part never needs it. pip install -r requirements-written.txt\n"
            f"{pinned([written.PACKAGE], pins, PINS_FILE)[0]}\n").encode()
    for name in assignment.files:
        entries[f"{hw}/{name}"] = _read(folder / name, "the stub module (course.yaml lists it)")
    if notebook.is_file():
        entries[f"{hw}/{notebook.name}"] = notebook.read_bytes()
    for path in _python_files(homework.public_tests):
        entries[f"{hw}/{path.relative_to(folder).as_posix()}"] = path.read_bytes()
    for path in _python_files(root / "shared"):     # helpers and synthetic data; nothing secret
        entries[f"{hw}/{path.relative_to(root).as_posix()}"] = path.read_bytes()
    return entries


_DISCLOSURE_RULES = {
    "block": "`python -m submit` refuses to write the zip until both lines are filled in",
    "warn": "`python -m submit` warns while it is not filled in",
}


def _written_section(assignment: Assignment) -> str:
    """The README's part about the written questions (empty when the homework has none)."""
    if not assignment.written:
        return ""
    rows = "\n".join(f"| {i} | `{q.id}` | {q.points:g} |" for i, q in enumerate(assignment.written, start=1))
    hw = assignment.id
    return f"""## Written questions ({assignment.written_points:g} points, graded by the TAs)

Besides the {assignment.points:g} autograded points, the notebook's "Written questions" part asks:

| page | question | points |
|---|---|---|
{rows}

Write each answer in the cell under its question (keep the `<!-- BEGIN/END QUESTION -->`
comment lines). Then make the PDF that Gradescope's written assignment takes, with
otter-grader's export: only the question and answer cells, one question per page.
otter-grader is needed for this step only (not for the tests or `submit`):

```bash
pip install -r requirements-written.txt     # once, inside .venv: otter-grader
python -m submit --written                  # writes {hw}-written.pdf
```

The same one-liner without our script: `otter export --filtering --pagebreaks {hw}.ipynb {hw}-written.pdf`.
The PDF needs a converter: LaTeX (`pandoc` and `xelatex`; e.g. `sudo apt install pandoc
texlive-xetex texlive-latex-extra`, MacTeX, MiKTeX) by default, or Chromium with
`python -m submit --written --exporter html` after `playwright install chromium`. With neither,
`python -m submit --html` writes `{hw}-written.html`: open it in a browser and print it to
PDF (each question starts a new page). Upload the PDF to the Gradescope assignment
"{hw} written" and assign each page to its question.

"""


def _student_imports(assignment: Assignment) -> list[str]:
    """What setup_env.py checks imports once installed: the test and notebook tools, torch if needed."""
    names = ["numpy", "pytest", "matplotlib", "jupyterlab"]
    return names + ["torch"] if assignment.uses_torch else names


def build_all(homework: Homework, out_dir: Path) -> list[Path]:
    """Write both zips of ``homework`` into ``out_dir`` (and ``hwN-written.md`` where the homework
    has written questions); return their paths, the autograder zip first."""
    from autograder.release.written import write_outline

    out_dir, hw = Path(out_dir), homework.id
    paths = [
        write_zip(out_dir / f"{hw}-autograder.zip", autograder_entries(homework),
                  frozenset({"setup.sh", "run_autograder"}), private=True),
        write_zip(out_dir / f"{hw}-student.zip", student_entries(homework)),
    ]
    outline = write_outline(homework.assignment, out_dir)
    return paths + ([outline] if outline is not None else [])
