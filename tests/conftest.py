"""Fixtures for the platform's own tests (helpers and the toy course in platform_helpers.py)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from platform_helpers import HIDDEN_TESTS, OTHER_REFERENCE, PUBLIC_TESTS, REPO, TOY_COURSE, TOY_REFERENCE, TOY_STUB

from autograder.release.bundles import RELEASE_PYTEST_INI


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


