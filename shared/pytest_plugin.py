"""The pytest side of the course: markers and the ``hw``, ``ref``, ``partial``, ``rng`` fixtures.

Tests are written once and run in two places:

* in a student's checkout with plain ``pytest``: ``hw`` is the student's modules imported from
  the homework folder (``hw.filters`` is ``import filters``); hidden tests are not there;
* in the grader (``cvgrade grade``, Gradescope): the grader puts a backend into
  ``config.stash[BACKEND]`` and ``hw`` becomes a proxy that calls into the sandboxed worker;
  ``ref`` is the reference solution, which only the grader process holds.

Markers: ``points(n)``, ``visibility("visible"|"hidden"|"after_due_date"|"after_published")``,
``timeout(seconds)`` (per-call wall-clock limit inside this test, for training probes),
``training`` (declares a training probe: the one kind of test allowed to take seconds).
"""
from __future__ import annotations

import contextlib
import os
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from shared import asserts
from shared.calls import record_call
from shared.modules import LocalModules, ReferenceModules, load_private
from shared.threads import one_thread_by_default

BACKEND = pytest.StashKey[Any]()
PARTIAL = pytest.StashKey["PartialCredit"]()


def pytest_configure(config: pytest.Config) -> None:
    # One thread per math library, as in the grader's worker; set before any test module
    # imports torch.
    one_thread_by_default()
    config.addinivalue_line("markers", "points(n): points this test is worth")
    config.addinivalue_line("markers", "visibility(v): Gradescope visibility of this test")
    config.addinivalue_line("markers", "timeout(seconds): per-call time limit for student code")
    config.addinivalue_line("markers", "training: a declared training probe (slow; seconds, not milliseconds)")


def readable_name(item: pytest.Item) -> str:
    """What a student sees as a test's name: its docstring's first line, with the parameters."""
    doc = getattr(getattr(item, "function", None), "__doc__", None) or ""
    first = doc.strip().splitlines()[0].strip() if doc.strip() else item.name
    params = getattr(getattr(item, "callspec", None), "id", None)
    return f"{first} [{params}]" if params else first


def pytest_runtest_setup(item: pytest.Item) -> None:
    record_call(None)


def _homework_dir(request: pytest.FixtureRequest) -> Path:
    """``.../hwN`` for a test file at ``.../hwN/tests/test_x.py``."""
    return Path(str(request.path)).resolve().parent.parent


@pytest.fixture
def hw(request: pytest.FixtureRequest) -> Any:
    """The student's modules: ``hw.filters.convolve2d(...)``."""
    backend = request.config.stash.get(BACKEND, None)
    if backend is not None:
        return backend.hw
    home = _homework_dir(request)
    directory = Path(os.environ.get("CVGRADE_STUDENT_DIR", home))
    probes = home / "tests" / "probes.py"
    if not probes.is_file():
        repo_probes = home.parent.parent / "assignments" / home.name / "tests" / "probes.py"
        probes = repo_probes if repo_probes.is_file() else None
    return LocalModules(directory, probes)


@pytest.fixture
def ref(request: pytest.FixtureRequest) -> Any:
    """The reference solution (hidden tests only; absent from student releases)."""
    backend = request.config.stash.get(BACKEND, None)
    if backend is not None:
        return backend.ref
    home = _homework_dir(request)
    directory = Path(os.environ.get("CVGRADE_REF_DIR", home.parent.parent / "solutions" / home.name))
    stubs = home.parent.parent / "assignments" / home.name
    # The student modules are the files the stubs folder and the reference share.
    names = sorted(p.stem for p in directory.glob("*.py")
                   if (stubs / p.name).is_file() and p.name != "conftest.py") if directory.is_dir() else []
    if not names:
        pytest.skip("this test compares with the reference solution, which only the grader has")
    probes = home.parent.parent / "assignments" / home.name / "tests" / "probes.py"
    return ReferenceModules(load_private(directory, names, "_cvgrade_ref"), probes if probes.is_file() else None)


def test_seed(nodeid: str) -> int:
    """A test's seed, from its node id without the file path: the same wherever the tests live
    (a student's checkout, the grader's copy) and for the grader's student-side calls."""
    return zlib.crc32(nodeid.split("::", 1)[-1].encode())


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> np.random.Generator:
    """A generator seeded from the test's id: the same inputs on every run and machine."""
    return np.random.default_rng(test_seed(request.node.nodeid))


class PartialCredit:
    """Partial credit for one test, in fractions of the test's points.

    ``with partial.part(0.5, "shape"): ...`` earns 0.5 if the block raises no AssertionError;
    ``partial.award(0.8, 1.0, "accuracy", "72 % held-out accuracy")`` earns 0.8 of a 1.0 part
    (for scores on a scale, such as a training probe's accuracy). A test's part weights add up
    to 1. A failing part does not stop the test; the test fails at the end listing every part
    that lost points, and the grader awards what was earned.
    ``partial.leaderboard("accuracy", 0.93)`` adds a Gradescope leaderboard entry.
    """

    def __init__(self) -> None:
        self.parts: list[tuple[str, float, float, str | None]] = []
        self.leaderboard_entries: list[tuple[str, float, str]] = []

    @contextlib.contextmanager
    def part(self, weight: float, label: str) -> Iterator[None]:
        try:
            yield
        except AssertionError as err:
            self.parts.append((label, float(weight), 0.0, str(err)))
        else:
            self.parts.append((label, float(weight), float(weight), None))

    def award(self, earned: float, weight: float, label: str, why: str) -> None:
        earned = min(max(float(earned), 0.0), float(weight)) if earned == earned else 0.0
        self.parts.append((label, float(weight), earned, None if earned >= weight else why))

    def leaderboard(self, name: str, value: float, order: str = "desc") -> None:
        self.leaderboard_entries.append((name, float(value), order))

    @property
    def earned(self) -> float:
        return min(1.0, sum(e for _, _, e, _ in self.parts))

    def failures(self) -> list[str]:
        return [f"[{label}] {why}" for label, _, _, why in self.parts if why is not None]


@pytest.fixture
def partial(request: pytest.FixtureRequest) -> PartialCredit:
    credit = PartialCredit()
    request.node.stash[PARTIAL] = credit
    return credit


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    result = yield
    credit = item.stash.get(PARTIAL, None)
    failed = credit.failures() if credit is not None else []
    if failed:
        raise asserts.CheckFailed(f"{len(failed)} of {len(credit.parts)} parts failed "
                                  f"({credit.earned:.0%} of the points earned):\n" + "\n".join(failed))
    return result
