"""``cvgrade gradebook``: course totals from per-homework score CSVs, with course.yaml's weights.

Inputs, one CSV per graded component (a course.yaml ``weights`` key: hw0..hw5, final_quiz):

* ``cvgrade batch --csv``: columns ``student, email, sid, submission, status, <tests>, total``;
  the maximum is the homework's ``points`` in course.yaml.
* Gradescope's "Download Grades" export: ``Name`` (or ``First Name`` + ``Last Name``),
  ``SID``, ``Email``, ``Total Score``, ``Max Points``, ``Status``.

A row whose status is ``Missing`` (Gradescope) or ``not graded`` (cvgrade batch), or whose
score is empty, has no score: it counts 0 and is flagged.

Which component a CSV is: ``KEY=PATH.csv``, or else the file name (``hw2_scores.csv``,
Gradescope's ``HW2_Recognition_scores.csv``, ``final_quiz.csv``). Students are matched by
email (case-insensitive), else SID, else name. A student absent from a component's CSV, or
present without a score, gets 0 for it and is flagged in the ``missing`` column; a component
with no CSV at all counts 0 for everyone and is reported. Course total (percent) =
sum(weight * score / max). Bad input (missing file, no score column, unknown key, a file
given twice) is a ``UserError``: one line, exit status 2.
"""
from __future__ import annotations

import csv
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from autograder.config import Course
from autograder.errors import UserError

_SCORE_COLUMNS = ("total score", "total", "score")
_MAX_COLUMNS = ("max points", "max score", "max")


@dataclass
class Student:
    name: str = ""
    email: str = ""
    sid: str = ""
    scores: dict[str, float] = field(default_factory=dict)     # component -> fraction of its max
    missing: list[str] = field(default_factory=list)

    def key(self) -> str:
        return student_key(self.name, self.email, self.sid)


def student_key(name: str, email: str, sid: str) -> str:
    if email.strip():
        return "email:" + email.strip().lower()
    if sid.strip():
        return "sid:" + sid.strip()
    return "name:" + " ".join(name.lower().split())


def _component_for(spec: str, course: Course) -> tuple[str, Path]:
    keys = list(course.weights)
    if "=" in spec and not Path(spec).exists():
        key, _, path = spec.partition("=")
        key = key.strip().lower()
        if key not in course.weights:
            raise UserError(f"{spec}: {key!r} is not a course.yaml weight (one of {', '.join(keys)})")
        return key, Path(path)
    path = Path(spec)
    stem = path.stem.lower()
    found = {f"hw{m}" for m in re.findall(r"(?<![a-z0-9])hw[\s_-]*([0-9])(?![0-9])", stem)}
    found |= {k for k in keys if not k.startswith("hw") and k in stem}
    found &= set(keys)
    if len(found) != 1:
        raise UserError(f"{path}: cannot tell which of {', '.join(keys)} this file holds "
                        f"({'several names' if found else 'no name'} in the file name); write KEY={path}")
    return found.pop(), path


def _number(text: str) -> float | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def read_scores(path: Path, default_max: float | None) -> list[tuple[str, str, str, float | None, float]]:
    """[(name, email, sid, score or None, max)] of one CSV (cvgrade batch's or Gradescope's)."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise UserError(f"{path}: not a readable CSV file ({err})") from None
    if not rows:
        return []
    columns = {c.strip().lower(): c for c in rows[0] if c}
    score_column = next((columns[c] for c in _SCORE_COLUMNS if c in columns), None)
    if score_column is None:
        raise UserError(f"{path}: no score column (expected one of: Total Score, total)")
    max_column = next((columns[c] for c in _MAX_COLUMNS if c in columns), None)
    if max_column is None and default_max is None:
        raise UserError(f"{path}: no Max Points column and no points in course.yaml for it")

    def get(row: dict, *names: str) -> str:
        for name in names:
            if name in columns and row.get(columns[name]) is not None:
                return row[columns[name]].strip().lstrip("'")
        return ""

    out = []
    for row in rows:
        name = get(row, "name", "student")
        if not name:
            name = " ".join(p for p in (get(row, "first name"), get(row, "last name")) if p)
        email, sid = get(row, "email"), get(row, "sid", "student id")
        if not (name or email or sid):
            continue
        maximum = _number(row.get(max_column, "")) if max_column else None
        maximum = maximum if maximum else default_max
        if not maximum or maximum <= 0:
            raise UserError(f"{path}: a row without a positive maximum (Max Points) for {name or email or sid}")
        score = _number(row.get(score_column, ""))
        if get(row, "status").lower() in ("not graded", "missing"):     # no score, not a zero: flag it
            score = None
        out.append((name, email, sid, score, float(maximum)))
    return out


def build_gradebook(course: Course, specs: list[str], out_path: Path, histogram_path: Path | None = None, *,
                    echo: Callable[[str], None] = print) -> list[Student]:
    """Read the CSVs, compute weighted course totals, write the gradebook CSV (and histogram)."""
    components: dict[str, Path] = {}
    for spec in specs:
        key, path = _component_for(spec, course)
        if key in components:
            raise UserError(f"{path}: {key} is already given by {components[key]}")
        if not path.is_file():
            raise UserError(f"{path}: no such file")
        components[key] = path
    points = {a.id: a.points for a in course.assignments}
    students: dict[str, Student] = {}
    for key, path in components.items():
        best: dict[str, float | None] = {}
        for name, email, sid, score, maximum in read_scores(path, points.get(key)):
            k = student_key(name, email, sid)
            student = students.setdefault(k, Student(name, email, sid))
            student.name, student.email, student.sid = (student.name or name, student.email or email,
                                                         student.sid or sid)
            fraction = None if score is None else min(max(score / maximum, 0.0), 1.0)
            previous = best.get(k)
            best[k] = fraction if previous is None else max(previous, fraction if fraction is not None else 0.0)
        for k, fraction in best.items():
            if fraction is not None:
                students[k].scores[key] = fraction
    absent = [k for k in course.weights if k not in components]
    for student in students.values():
        student.missing = [k for k in course.weights if k in components and k not in student.scores]
    total = sum(course.weights.values())
    ordered = sorted(students.values(), key=lambda s: (s.name.lower(), s.email.lower(), s.sid))
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with open(out_path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "email", "sid", *(f"{k} (%)" for k in course.weights), "course total (%)",
                         "missing"])
        for s in ordered:
            writer.writerow([s.name, s.email, s.sid,
                             *(f"{100 * s.scores.get(k, 0.0):.2f}" for k in course.weights),
                             f"{course_total(s, course.weights, total):.2f}",
                             "; ".join(k for k in course.weights if k in s.missing or k in absent)])
    echo(f"wrote {out_path}: {len(ordered)} students from {', '.join(f'{k}={p}' for k, p in components.items())}")
    if absent:
        echo(f"no CSV for {', '.join(absent)}: counted as 0 for everyone (flagged in 'missing')")
    flagged = sum(bool(s.missing) for s in ordered)
    if flagged:
        echo(f"{flagged} students miss a score in a given CSV: counted as 0 (flagged in 'missing')")
    if histogram_path is not None:
        write_histogram([course_total(s, course.weights, total) for s in ordered], histogram_path)
        echo(f"wrote {histogram_path}")
    return ordered


def course_total(student: Student, weights: dict[str, float], total: float) -> float:
    """The weighted course total in percent (missing components count 0)."""
    return 100 * sum(w * student.scores.get(k, 0.0) for k, w in weights.items()) / total


def write_histogram(totals: list[float], path: Path) -> None:
    """Histogram of course totals: .png/.svg image or a self-contained .html page."""
    import html

    from autograder.report import histogram_svg

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".png", ".svg", ".html", ".htm"):
        raise UserError(f"{path}: the histogram must be a .png, .svg or .html file")
    if suffix == ".png":
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        figure, axes = plt.subplots(figsize=(7, 3.2), dpi=100)
        axes.hist(totals, bins=20, range=(0, 100), color="#4a7ab7", edgecolor="white")
        axes.set_xlabel("course total (%)")
        axes.set_ylabel("students")
        figure.tight_layout()
        figure.savefig(path, format="png", metadata={"Software": None})
        plt.close(figure)
        return
    svg = histogram_svg(totals, 100, xlabel="course total (%)")
    if suffix == ".svg":
        path.write_text(svg)
        return
    mean = sum(totals) / len(totals) if totals else 0.0
    path.write_text(f"<!doctype html><html><head><meta charset=\"utf-8\"><title>Course totals</title></head>"
                    f"<body><h1>Course totals</h1><p>{html.escape(f'{len(totals)} students, mean {mean:.2f}%')}</p>"
                    f"{svg}</body></html>", encoding="utf-8")
