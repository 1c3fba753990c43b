"""Fixtures for the platform's own tests (helpers and the toy course in platform_helpers.py).

``make test`` runs them on two pytest-xdist workers (``-n 2 --dist loadgroup``): the slowest
tests are handed out first (``SLOWEST_FIRST``) so that the two workers end together, and the
tests that look at machine-wide state (``MACHINE_WIDE``: every ``sleep 4242.<pid>`` of this run,
the disk usage of ``/tmp``) run one at a time, in their module's order, in one worker
(``platform_helpers.MACHINE_WIDE``).
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from platform_helpers import HIDDEN_TESTS, OTHER_REFERENCE, PUBLIC_TESTS, REPO, TOY_COURSE, TOY_REFERENCE, TOY_STUB

from autograder.release.bundles import RELEASE_PYTEST_INI

# Test functions by how long they take (seconds on two idle cores, docs/test-durations.txt),
# slowest first; each one's cases keep their order. Every other test comes after them, in order.
SLOWEST_FIRST = ["test_cvgrade_check", "test_student_release_as_a_student_uses_it",
                 "test_notebook_executes_against_the_reference", "test_simulate_gives_the_reference_full_marks"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under xdist only: the slowest tests at the front of the queue (a stable sort)."""
    if not hasattr(config, "workerinput"):         # set in an xdist worker only
        return
    rank = {name: i for i, name in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(getattr(item, "originalname", item.name), len(rank)))


@pytest.fixture(scope="session")
def toy_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("toy-course")
    (root / "course.yaml").write_text(TOY_COURSE)
    for folder in ("assignments/hw0/tests", "solutions/hw0/tests"):
        (root / folder).mkdir(parents=True)
    (root / "solutions/hw0/toy.py").write_text(TOY_REFERENCE)
    (root / "solutions/hw0/other.py").write_text(OTHER_REFERENCE)
    (root / "assignments/hw0/tests/test_toy.py").write_text(PUBLIC_TESTS)
    (root / "solutions/hw0/tests/test_toy_hidden.py").write_text(HIDDEN_TESTS)
    (root / "solutions/hw0/mutants").mkdir()
    (root / "solutions/hw0/mutants/toy__triple_not_double.yaml").write_text(
        "mistake: double multiplies by 3.\nrevealed_by: any nonzero input.\nreplace:\n"
        "- {old: 'return 2 *', new: 'return 3 *'}\n")
    (root / "assignments/hw0/toy.py").write_text(TOY_STUB)
    (root / "assignments/hw0/other.py").write_text("def triple(x):\n    raise NotImplementedError\n")
    (root / "assignments/hw0/pytest.ini").write_text(RELEASE_PYTEST_INI)
    shutil.copyfile(REPO / "constraints.txt", root / "constraints.txt")      # the course's pin list
    for package in ("autograder", "shared"):
        shutil.copytree(REPO / package, root / package, ignore=shutil.ignore_patterns("__pycache__"))
    return root


