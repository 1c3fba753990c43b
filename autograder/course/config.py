"""course.yaml: the single source of truth, loaded through one validated model.

``load_course(path)`` returns a ``Course`` or raises ``UserError`` with one line naming the
file and the key (``course.yaml: assignments[0].points: ...``). Nothing else in the package
reads course.yaml.

Two things are filled in before validation, so each fact is written once:

* ``defaults:`` is merged into every assignment: ``visibility`` key by key (the homework's
  own keys win), ``requirements`` added in front of the homework's own, and
  ``forbidden_imports`` (one list) applied to every module the homework does not list.
* A requirement without a version (``numpy``) takes its pin from ``constraints.txt`` beside
  course.yaml: the course's one pin list, which also feeds requirements.txt and the bundles.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from autograder.errors import UserError

Visibility = Literal["hidden", "after_due_date", "after_published", "visible"]
_PINNED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9_,-]+\])?==[A-Za-z0-9.+!-]+$")
_MODULE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\.py$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CourseInfo(_Model):
    name: str
    term: str


class VisibilityDefaults(_Model):
    public: Visibility = "visible"
    hidden: Visibility = "after_published"


class WrittenQuestion(_Model):
    """A short written answer graded by a TA on Gradescope (not by the autograder)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$", description="short slug, e.g. box_ringing")
    points: float = Field(gt=0)
    prompt: str = Field(min_length=1)


class Collaboration(_Model):
    """The syllabus allows collaboration if it is disclosed (the release's DISCLOSURE.md)."""

    # block: submit refuses to write the zip until the disclosure is filled in; warn: it says
    # so and writes the zip anyway. The grader copies whatever was disclosed into results.json.
    # A course.yaml without the key only warns (courses that predate the disclosure keep working).
    missing_disclosure: Literal["block", "warn"] = "warn"


class Limits(_Model):
    """Time and memory bounds of the worker that runs one submission's code."""

    per_call_s: float = Field(gt=0, le=600, description="wall-clock seconds for one call into student code")
    total_s: float = Field(gt=0, le=3600, description="wall-clock seconds for all tests of one submission")
    memory_mb: int = Field(ge=256, le=65536, description="address-space limit of the worker")
    cpu_s: int = Field(gt=0, le=7200, description="CPU seconds of one worker process")
    training_s: float | None = Field(default=None, gt=0, le=600, description="budget of a training probe")


class Assignment(_Model):
    # hw0, hw1, ...: also the homework's folder name under assignments/ and solutions/
    id: str = Field(pattern=r"^hw[0-9]+$")
    title: str
    points: float = Field(gt=0)
    files: list[str] = Field(min_length=1)
    due: dt.datetime
    visibility: VisibilityDefaults
    limits: Limits
    requirements: list[str]
    forbidden_imports: dict[str, list[str]] = Field(default_factory=dict)
    written: list[WrittenQuestion] = Field(default_factory=list)

    @field_validator("written")
    @classmethod
    def _unique_questions(cls, written: list[WrittenQuestion]) -> list[WrittenQuestion]:
        ids = [q.id for q in written]
        if len(set(ids)) != len(ids):
            raise ValueError("two written questions share an id")
        return written

    @field_validator("files")
    @classmethod
    def _module_names(cls, files: list[str]) -> list[str]:
        for name in files:
            if not _MODULE.match(name):
                raise ValueError(f"{name!r} is not a Python module file name like 'filters.py'")
        if len(set(files)) != len(files):
            raise ValueError("lists a file twice")
        return files

    @field_validator("due")
    @classmethod
    def _zoned(cls, due: dt.datetime) -> dt.datetime:
        if due.tzinfo is None:
            raise ValueError("needs a time zone, e.g. 2027-02-05T23:59:00-05:00")
        return due

    @field_validator("requirements")
    @classmethod
    def _pinned(cls, reqs: list[str]) -> list[str]:
        for req in reqs:
            if not _PINNED.match(req):
                raise ValueError(f"{req!r} is not pinned as name==version")
        return reqs

    @model_validator(mode="after")
    def _forbidden_modules_exist(self) -> Assignment:
        for module in self.forbidden_imports:
            if module not in self.files:
                raise ValueError(f"forbidden_imports names {module!r}, which is not in files")
        return self

    @property
    def modules(self) -> list[str]:
        """Module names without ``.py``: ``["filters", "fourier"]``."""
        return [f[:-3] for f in self.files]

    @property
    def written_points(self) -> float:
        """Points of the TA-graded written questions (0 without any)."""
        return sum(q.points for q in self.written)

    @property
    def total_points(self) -> float:
        """Autograded ``points`` plus ``written_points``: what the homework's weight applies to."""
        return self.points + self.written_points

    @property
    def uses_torch(self) -> bool:
        return any(r.startswith("torch==") for r in self.requirements)


class Course(_Model):
    course: CourseInfo
    weights: dict[str, float]
    torch_index_url: str = "https://download.pytorch.org/whl/cpu"
    collaboration: Collaboration = Collaboration()
    assignments: list[Assignment]

    @field_validator("weights")
    @classmethod
    def _sum_to_100(cls, weights: dict[str, float]) -> dict[str, float]:
        if any(w < 0 for w in weights.values()):
            raise ValueError("weights must not be negative")
        if abs(sum(weights.values()) - 100) > 1e-9:
            raise ValueError(f"weights add up to {sum(weights.values()):g}, not 100")
        return weights

    @model_validator(mode="after")
    def _unique_ids(self) -> Course:
        ids = [a.id for a in self.assignments]
        if len(set(ids)) != len(ids):
            raise ValueError("two assignments share an id")
        for a in ids:
            if a not in self.weights:
                raise ValueError(f"weights has no entry for {a}")
        return self

    def assignment(self, hw_id: str) -> Assignment:
        for a in self.assignments:
            if a.id == hw_id:
                return a
        known = ", ".join(a.id for a in self.assignments)
        raise UserError(f"unknown homework {hw_id!r}: course.yaml defines {known}")


def _location(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


PINS_FILE = "constraints.txt"
_PIN_LINE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==(\S+)")


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_pins(path: Path) -> dict[str, str]:
    """{normalised name: "Name==version"} from a pip constraints file (comments and options skipped)."""
    pins: dict[str, str] = {}
    if not path.is_file():
        return pins
    for line in path.read_text().splitlines():
        match = _PIN_LINE.match(line.split("#", 1)[0].strip())
        if match:
            pins[_normalised(match.group(1))] = f"{match.group(1)}=={match.group(3)}"
    return pins


def pinned(names: list[str], pins: dict[str, str], where: str) -> list[str]:
    """``names`` with a version each: kept where given (``torch==2.13.0``), else from ``pins``."""
    out = []
    for name in names:
        if isinstance(name, str) and "==" not in name and not any(c in name for c in "<>=!~;@ "):
            if _normalised(name) not in pins:
                raise UserError(f"{where}: {name!r} has no pin: add {name}==VERSION to {PINS_FILE}")
            name = pins[_normalised(name)]
        out.append(name)
    return out


def _with_defaults(data: Any, pins: dict[str, str], path: Path) -> Any:
    """course.yaml's data with ``defaults`` merged into each assignment and requirements pinned."""
    if not isinstance(data, dict):
        return data
    defaults = data.pop("defaults", None) or {}
    if not isinstance(defaults, dict) or set(defaults) - {"visibility", "requirements", "forbidden_imports"}:
        raise UserError(f"{path}: defaults: may hold visibility, requirements and forbidden_imports only")
    assignments = data.get("assignments")
    if not isinstance(assignments, list):
        return data
    for index, assignment in enumerate(assignments):
        if not isinstance(assignment, dict):
            continue
        where = f"{path}: assignments[{index}]"
        if "visibility" in defaults:
            assignment["visibility"] = {**defaults["visibility"], **(assignment.get("visibility") or {})}
        own = list(assignment.get("requirements") or [])
        inherited = [r for r in defaults.get("requirements") or []
                     if _normalised(str(r).split("==")[0]) not in {_normalised(str(o).split("==")[0]) for o in own}]
        assignment["requirements"] = pinned([*inherited, *own], pins, f"{where}.requirements")
        if "forbidden_imports" in defaults and isinstance(assignment.get("files"), list):
            listed = assignment.get("forbidden_imports") or {}
            assignment["forbidden_imports"] = {name: listed.get(name, defaults["forbidden_imports"])
                                               for name in assignment["files"]} | listed
    return data


def load_course(path: Path) -> Course:
    """Read and validate course.yaml (``defaults`` merged, versions from constraints.txt); any
    problem is a one-line ``UserError``."""
    path = Path(path)
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise UserError(f"{path}: not found (run cvgrade from the course repository, or pass --course)") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise UserError(f"{path}:{where} is not valid YAML ({getattr(err, 'problem', err)})") from None
    data = _with_defaults(data, read_pins(path.parent / PINS_FILE), path)
    try:
        return Course.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        message = first["msg"].removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            message = "unknown key (remove it or check its spelling)"
        raise UserError(f"{path}: {_location(first['loc'])}: {message}") from None
