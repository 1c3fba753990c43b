"""The spec in docs/spec/ is the contract: every homework's stubs and reference keep it, and the
checker notices when they do not."""
from __future__ import annotations

import shutil

import pytest
from platform_helpers import REPO

from autograder.course.config import load_course
from autograder.course.layout import open_course
from autograder.quality import contract

HOMEWORKS = [a.id for a in load_course(REPO / "course.yaml").assignments
             if (REPO / "docs" / "spec" / f"{a.id}.md").is_file()]


@pytest.mark.parametrize("hw", HOMEWORKS)
def test_every_homework_keeps_its_spec(hw):
    report = contract.check(REPO / "docs" / "spec" / f"{hw}.md", REPO / "assignments" / hw, REPO / "solutions" / hw)
    assert report.names > 0, f"docs/spec/{hw}.md names no function"
    assert report.ok, "\n".join(report.problems)


def _copy(tmp_path, hw="hw0"):
    for side in ("assignments", "solutions"):
        shutil.copytree(REPO / side / hw, tmp_path / side / hw, ignore=shutil.ignore_patterns("tests", "mutants",
                                                                                               "alternatives"))
    (tmp_path / "docs" / "spec").mkdir(parents=True)
    shutil.copy(REPO / "docs" / "spec" / f"{hw}.md", tmp_path / "docs" / "spec")
    return tmp_path


def test_a_changed_default_a_renamed_parameter_and_a_missing_name_are_caught(tmp_path):
    root = _copy(tmp_path)
    stub = root / "assignments" / "hw0" / "filters.py"
    stub.write_text(stub.read_text().replace('def convolve2d(image, kernel, mode="same"',
                                             'def convolve2d(image, kernel, mode="full"'))
    reference = root / "solutions" / "hw0" / "filters.py"
    reference.write_text(reference.read_text().replace("def box_kernel(size", "def box_kernel(n").replace(
        "def sharpen(", "def sharpen_image("))
    report = contract.check(root / "docs/spec/hw0.md", root / "assignments/hw0", root / "solutions/hw0")
    problems = "\n".join(report.problems)
    assert "assignments/hw0/filters.py: `convolve2d(image, kernel, mode='full'" in problems.replace('"', "'")
    assert "solutions/hw0/filters.py: `box_kernel(n" in problems
    assert "`sharpen` is not defined at module level" in problems


def test_defaults_compare_as_literals_and_commas_inside_them_are_kept(tmp_path):
    spec = tmp_path / "docs" / "spec" / "hwx.md"
    spec.parent.mkdir(parents=True)
    spec.write_text("## m.py\n\n| function | contract |\n|---|---|\n| `f(a, sizes=(1, 2), name='x, y')` | ... |\n")
    for side in ("assignments", "solutions"):
        (tmp_path / side / "hwx").mkdir(parents=True)
        (tmp_path / side / "hwx" / "m.py").write_text('def f(a, sizes=(1,2), name="x, y"):\n    pass\n')
    report = contract.check(spec, tmp_path / "assignments/hwx", tmp_path / "solutions/hwx")
    assert report.ok and report.names == 2, report.problems


@pytest.mark.parametrize("hw", HOMEWORKS)
def test_stub_and_reference_carry_the_same_docstrings(hw):
    """One docstring, two copies: a rule stated to the student is the rule the TAs read."""
    homework = open_course(REPO).homework(hw)
    report = contract.docstrings(homework.stubs, homework.reference, homework.files)
    assert report.names > 0 and report.ok, "\n".join(report.problems)


def test_a_docstring_edited_on_one_side_is_caught(tmp_path):
    root = _copy(tmp_path)
    stub = root / "assignments" / "hw0" / "filters.py"
    text = stub.read_text()
    opening = text.index('"""', text.index("def convolve2d("))
    stub.write_text(text[:opening] + '"""Edited. ' + text[opening + 3:])
    report = contract.docstrings(root / "assignments" / "hw0", root / "solutions" / "hw0", ["filters.py", "fourier.py"])
    assert report.problems == [f"{stub}: `convolve2d`'s docstring differs from {root / 'solutions/hw0/filters.py'}'s"]
