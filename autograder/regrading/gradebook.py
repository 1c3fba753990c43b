"""``cvgrade gradebook``: course totals from per-homework score CSVs, with course.yaml's weights.

Inputs, one CSV per graded component (a course.yaml ``weights`` key: hw0..hw5, final_quiz):

* ``cvgrade batch --csv``: columns ``student, email, sid, submission, status, <tests>, total``;
  the maximum is the homework's ``points`` in course.yaml.
* Gradescope's "Download Grades" export: ``Name`` (or ``First Name`` + ``Last Name``),
  ``SID``, ``Email``, ``Total Score``, ``Max Points``, ``Status``.

A row whose status is ``Missing`` (Gradescope) or ``not graded`` (cvgrade batch), or whose
score is empty, has no score: it counts 0 and is flagged.

Which component a CSV is: ``KEY=PATH.csv``, or else the file name (``hw2_scores.csv``,
Gradescope's ``HW2_Recognition_scores.csv``, ``final_quiz.csv``).

Written questions (course.yaml ``written``) are part of their homework: its weight applies to
the autograded and the written points together, ``(auto + written) / (points +
written_points)``. The written scores come from their own CSV (Gradescope's export of the
"hwN written" assignment; ``hwN_written=PATH.csv`` or a file name with "written" in it,
e.g. ``HW0_Written_scores.csv``), or from one export holding both parts (a row whose Max
Points is the homework's points plus its written points is taken as is). A homework whose
written part has no CSV counts its written points as 0 and is reported; a student missing
from a written CSV is flagged ``hwN written``. Students are matched by
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

from autograder.course.config import Course
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
    """(component, path): a component is a weight key, or ``hwN written`` for a written part."""
    keys = list(course.weights)
    written = {f"{a.id} written" for a in course.assignments if a.written}
    if "=" in spec and not Path(spec).exists():
        key, _, path = spec.partition("=")
        key = re.sub(r"^(hw[0-9]+)[\s_-]+written$", r"\1 written", key.strip().lower())
        if key not in course.weights and key not in written:
            raise UserError(f"{spec}: {key!r} is not a course.yaml weight (one of {', '.join(keys)}) "
                            f"nor a written part ({', '.join(sorted(written)) or 'none'})")
        return key, Path(path)
    path = Path(spec)
    key, path = _component_from_name(path, keys)
    if "written" in path.stem.lower():
        if f"{key} written" not in written:
            raise UserError(f"{path}: a written-part CSV, but {key} has no written questions in course.yaml")
        return f"{key} written", path
    return key, path


def _component_from_name(path: Path, keys: list[str]) -> tuple[str, Path]:
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
    points |= {f"{a.id} written": a.written_points for a in course.assignments if a.written}
    students: dict[str, Student] = {}
    parts: dict[str, dict[str, tuple[float, float]]] = {}     # student -> component -> (score, max)
    for key, path in components.items():
        best: dict[str, tuple[float, float] | None] = {}
        for name, email, sid, score, maximum in read_scores(path, points.get(key)):
            k = student_key(name, email, sid)
            student = students.setdefault(k, Student(name, email, sid))
            student.name, student.email, student.sid = (student.name or name, student.email or email,
                                                         student.sid or sid)
            mine = None if score is None else (min(max(score, 0.0), maximum), maximum)
            previous = best.get(k)
            best[k] = mine if previous is None or (mine is not None and mine[0] / mine[1] > previous[0] / previous[1]) \
                else previous
        for k, pair in best.items():
            if pair is not None:
                parts.setdefault(k, {})[key] = pair
    for k, student in students.items():
        student.scores = _homework_fractions(course, parts.get(k, {}), components)
    absent = [k for k in course.weights if k not in components]
    absent_written = [f"{a.id} written" for a in course.assignments
                      if a.written and a.id in components and f"{a.id} written" not in components]
    for k, student in students.items():
        mine = parts.get(k, {})
        combined = {a.id for a in course.assignments if _combined(course, mine, a.id)}
        student.missing = [c for c in [*components, *absent_written]
                           if c not in mine and c.split()[0] not in combined]
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
                             "; ".join([*(k for k in course.weights if k in s.missing or k in absent),
                                        *(k for k in s.missing if k not in course.weights)])])
    echo(f"wrote {out_path}: {len(ordered)} students from {', '.join(f'{k}={p}' for k, p in components.items())}")
    if absent:
        echo(f"no CSV for {', '.join(absent)}: counted as 0 for everyone (flagged in 'missing')")
    if absent_written:
        echo(f"no CSV for {', '.join(absent_written)}: written points count 0 unless a homework CSV holds both "
             f"parts (flagged in 'missing')")
    flagged = sum(bool(s.missing) for s in ordered)
    if flagged:
        echo(f"{flagged} students miss a score in a given CSV: counted as 0 (flagged in 'missing')")
    if histogram_path is not None:
        write_histogram([course_total(s, course.weights, total) for s in ordered], histogram_path)
        echo(f"wrote {histogram_path}")
    return ordered


def _combined(course: Course, mine: dict[str, tuple[float, float]], hw: str) -> bool:
    """Whether this student's ``hw`` row already holds both parts (its max is points + written)."""
    if hw not in mine or hw not in {a.id for a in course.assignments}:
        return False
    assignment = course.assignment(hw)
    return bool(assignment.written) and mine[hw][1] >= assignment.total_points - 1e-9


def _homework_fractions(course: Course, mine: dict[str, tuple[float, float]],
                        components: dict[str, Path]) -> dict[str, float]:
    """{weight key: fraction of its maximum}: a homework's autograded and written parts added."""
    fractions = {}
    for key in course.weights:
        written_key = f"{key} written"
        assignment = next((a for a in course.assignments if a.id == key), None)
        has_written = assignment is not None and bool(assignment.written)
        if key not in mine and written_key not in mine:
            continue
        if not has_written or _combined(course, mine, key):
            if key in mine:
                score, maximum = mine[key]
                fractions[key] = score / maximum
            continue
        auto_score, auto_max = mine.get(key, (0.0, assignment.points))
        written_score, written_max = mine.get(written_key, (0.0, assignment.written_points))
        fractions[key] = min((auto_score + written_score) / (auto_max + written_max), 1.0)
    return fractions


def course_total(student: Student, weights: dict[str, float], total: float) -> float:
    """The weighted course total in percent (missing components count 0)."""
    return 100 * sum(w * student.scores.get(k, 0.0) for k, w in weights.items()) / total


def write_histogram(totals: list[float], path: Path) -> None:
    """Histogram of course totals: .png/.svg image or a self-contained .html page."""
    import html

    from autograder.regrading.report import histogram_svg

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
