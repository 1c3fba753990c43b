"""One object knows a homework's layout, and a new homework is a folder pair and a course.yaml entry."""
from __future__ import annotations

import json
import shutil
import zipfile

import pytest
import yaml
from platform_helpers import REPO, cvgrade, validate_results

from autograder.course.layout import open_course
from autograder.errors import UserError


def test_every_homework_of_the_course_has_its_folders_where_the_layout_says():
    checkout = open_course(REPO)
    homeworks = checkout.homeworks()
    assert [hw.id for hw in homeworks] == [a.id for a in checkout.course.assignments]
    for hw in homeworks:
        assert hw.stubs == REPO / "assignments" / hw.id and hw.reference == REPO / "solutions" / hw.id
        for name in hw.files:
            assert (hw.stubs / name).is_file() and (hw.reference / name).is_file(), name
        assert any(hw.public_tests.glob("test_*.py")) and any(hw.hidden_tests.glob("test_*.py"))
        assert hw.notebook.is_file() and hw.spec.is_file() and any(hw.mutants.glob("*.yaml"))


def test_an_unknown_homework_is_one_line_naming_the_known_ones():
    with pytest.raises(UserError, match=r"unknown homework 'hw9': .*course.yaml defines hw0, hw1"):
        open_course(REPO).homework("hw9")


@pytest.fixture(scope="module")
def seventh(toy_root, tmp_path_factory):
    """The toy course with a second homework, hw6, added the documented way and nothing else:
    ``assignments/hw6`` + ``solutions/hw6`` (copied from hw0) and a course.yaml entry."""
    root = tmp_path_factory.mktemp("seven") / "course"
    shutil.copytree(toy_root, root, ignore=shutil.ignore_patterns("__pycache__"))
    for side in ("assignments", "solutions"):
        shutil.copytree(root / side / "hw0", root / side / "hw6")
    config = yaml.safe_load((root / "course.yaml").read_text())
    entry = dict(config["assignments"][0], id="hw6", title="Seventh")
    config["assignments"].append(entry)
    config["weights"] = {"hw0": 50, "hw6": 50}
    (root / "course.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return root


def test_a_seventh_homework_is_a_folder_and_a_course_yaml_entry(seventh, tmp_path):
    listed = cvgrade("list", root=seventh)
    assert listed.returncode == 0, listed.stderr
    assert any(line.split()[:2] == ["hw6", "Seventh"] for line in listed.stdout.splitlines()), listed.stdout

    out = tmp_path / "results.json"
    graded = cvgrade("grade", "hw6", str(seventh / "solutions" / "hw6"), "--json", str(out), root=seventh)
    assert graded.returncode == 0, graded.stderr
    document = json.loads(out.read_text())
    validate_results(document)
    assert document["score"] == 10 and document["output"].startswith("HW6 Seventh: 10 / 10 points")

    built = cvgrade("build", "hw6", "-o", str(tmp_path / "dist"), root=seventh)
    assert built.returncode == 0, built.stderr
    with zipfile.ZipFile(tmp_path / "dist" / "hw6-autograder.zip") as archive:
        names = set(archive.namelist())
    assert {"run_autograder", "setup.sh", "solutions/hw6/toy.py", "assignments/hw6/tests/test_toy.py"} <= names
    with zipfile.ZipFile(tmp_path / "dist" / "hw6-student.zip") as archive:
        names = set(archive.namelist())
    assert {"hw6/toy.py", "hw6/pytest.ini", "hw6/tests/test_toy.py"} <= names
    assert not any(name.startswith("hw6/solutions") or "hidden" in name for name in names)
