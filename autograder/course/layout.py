"""Where a homework's pieces live: one object per homework, built once from course.yaml.

Every command opens the course once (``open_course(root)``) and passes ``Homework`` objects
on; nothing else joins ``root / "assignments" / hw`` by hand. A new homework is a folder pair
and a course.yaml entry::

    assignments/hwN/            stubs (course.yaml ``files``), tests/ (public; probes.py), hwN.ipynb
    solutions/hwN/              the reference modules, tests/ (hidden), notebook.py (the notebook's
                                source), mutants/*.yaml, alternatives/<style>/
    docs/spec/hwN.md            the contract: names, signatures, defaults
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from autograder.course.config import Assignment, Course, Limits, load_course
from autograder.errors import UserError


@dataclass(frozen=True)
class Homework:
    """One homework of one course checkout: its settings (course.yaml) and its folders."""

    root: Path                  # the course repository (holds course.yaml)
    course: Course
    assignment: Assignment

    # ---------------------------------------------------------------- settings
    @property
    def id(self) -> str:
        return self.assignment.id

    @property
    def title(self) -> str:
        return self.assignment.title

    @property
    def points(self) -> float:
        return self.assignment.points

    @property
    def files(self) -> list[str]:
        """The student module files a submission must contain: ``["filters.py", ...]``."""
        return self.assignment.files

    @property
    def modules(self) -> list[str]:
        return self.assignment.modules

    @property
    def limits(self) -> Limits:
        return self.assignment.limits

    @property
    def uses_torch(self) -> bool:
        return self.assignment.uses_torch

    # ---------------------------------------------------------------- folders
    @property
    def stubs(self) -> Path:
        """``assignments/hwN``: what students get."""
        return self.root / "assignments" / self.id

    @property
    def reference(self) -> Path:
        """``solutions/hwN``: the reference modules (instructors and the grader only)."""
        return self.root / "solutions" / self.id

    @property
    def public_tests(self) -> Path:
        return self.stubs / "tests"

    @property
    def hidden_tests(self) -> Path:
        return self.reference / "tests"

    @property
    def probes(self) -> Path | None:
        """``tests/probes.py`` beside the public tests: code the worker runs on student objects."""
        path = self.public_tests / "probes.py"
        return path if path.is_file() else None

    @property
    def mutants(self) -> Path:
        return self.reference / "mutants"

    @property
    def alternatives(self) -> Path:
        return self.reference / "alternatives"

    @property
    def notebook(self) -> Path:
        return self.stubs / f"{self.id}.ipynb"

    @property
    def notebook_source(self) -> Path:
        return self.reference / "notebook.py"

    @property
    def spec(self) -> Path:
        return self.root / "docs" / "spec" / f"{self.id}.md"

    @property
    def released(self) -> bool:
        """True once the homework has public tests (one still being written is left out of runs
        that name no homework)."""
        return any(self.public_tests.glob("test_*.py"))


@dataclass(frozen=True)
class CourseCheckout:
    """A course repository on disk: its root and its validated course.yaml."""

    root: Path
    course: Course

    def homework(self, hw_id: str) -> Homework:
        """The homework ``hw_id``; an unknown id is a ``UserError`` naming the known ones."""
        return self._homeworks.get(hw_id) or self._unknown(hw_id)

    def homeworks(self, ids: tuple[str, ...] | list[str] = ()) -> list[Homework]:
        """The given homeworks, or every released one (course.yaml order) when none is given."""
        if ids:
            return [self.homework(hw_id) for hw_id in ids]
        return [hw for hw in self._homeworks.values() if hw.released]

    @cached_property
    def _homeworks(self) -> dict[str, Homework]:
        return {a.id: Homework(self.root, self.course, a) for a in self.course.assignments}

    def _unknown(self, hw_id: str) -> Homework:
        known = ", ".join(self._homeworks)
        raise UserError(f"unknown homework {hw_id!r}: {self.root / 'course.yaml'} defines {known}")


def open_course(root: Path) -> CourseCheckout:
    """Read ``root/course.yaml`` (a ``UserError`` of one line if it is missing or invalid)."""
    root = Path(root).resolve()
    return CourseCheckout(root, load_course(root / "course.yaml"))
