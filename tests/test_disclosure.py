"""The collaboration disclosure: the release's file, submit's refusal or warning, the grader's copy."""
from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from platform_helpers import OTHER_REFERENCE, REPO, TOY_REFERENCE, cvgrade, grade_sources

from autograder.course.config import load_course
from autograder.errors import UserError
from shared import disclosure
from shared.submit import Settings, preflight, write_submission_zip

FILLED = "Collaborators: Ada Lovelace (al123), compared FFT padding\nSources: numpy docs on fft2\n"


def test_blank_template_is_not_filled_in_and_names_both_lines():
    problem = disclosure.problem(disclosure.template("hw0"))
    assert problem is not None and "Collaborators:" in problem and "Sources:" in problem


@pytest.mark.parametrize("text, missing", [
    (FILLED, None),
    ("Collaborators: none\nSources: none\n", None),
    ("Collaborators:\n  Ada Lovelace\n  Bob Smith\nSources: None.\n", None),        # answers on later lines
    ("# Collaborators: Ada (an instruction line)\nCollaborators:\nSources: none\n", "Collaborators:"),
    ("Collaborators: Ada\nSources: TODO\n", "Sources:"),
    ("collaborators: ada\nSOURCES: none\n", None),                                   # labels in any case
    ("", "Collaborators: and Sources:"),
])
def test_problem_says_which_answer_is_missing(text, missing):
    problem = disclosure.problem(text.encode())
    if missing is None:
        assert problem is None, problem
    else:
        assert problem is not None and missing in problem, problem


def test_a_missing_or_oversized_file_is_a_problem():
    assert "missing" in disclosure.problem(None)
    assert "bytes" in disclosure.problem(b"Collaborators: x\n" * 2000)


def test_parse_keeps_multi_line_answers_in_order():
    parsed = disclosure.parse("Collaborators: Ada\n  and Bob\n# note\nSources: a book\n  a blog\n")
    assert parsed == disclosure.Disclosure("Ada and Bob", "a book a blog")
    assert not parsed.no_collaborators and disclosure.parse("Collaborators: None\n").no_collaborators


def _settings(policy: str) -> Settings:
    return Settings(hw="hw0", files=["toy.py", "other.py"], forbidden={"toy.py": ["scipy"]}, points=10,
                    due="2027-01-01T00:00:00+00:00", disclosure=policy)


def _folder(tmp_path: Path, disclosed: str | None) -> Path:
    folder = tmp_path / "hw0"
    folder.mkdir()
    (folder / "toy.py").write_text(TOY_REFERENCE)
    (folder / "other.py").write_text(OTHER_REFERENCE)
    if disclosed is not None:
        (folder / disclosure.FILE_NAME).write_text(disclosed)
    return folder


def test_block_refuses_until_filled_in_and_warn_only_warns(tmp_path):
    folder = _folder(tmp_path, disclosure.template("hw0"))
    problems, _ = preflight(_settings("block"), folder, run_tests=False)
    assert len(problems) == 1 and "DISCLOSURE.md: fill in Collaborators: and Sources:" in problems[0], problems
    problems, notes = preflight(_settings("warn"), folder, run_tests=False)
    assert problems == [] and any(n.startswith("WARNING: DISCLOSURE.md") for n in notes), notes
    (folder / disclosure.FILE_NAME).write_text(FILLED)
    problems, notes = preflight(_settings("block"), folder, run_tests=False)
    assert problems == [] and any("DISCLOSURE.md: filled in" in n for n in notes), notes


def test_block_refuses_a_deleted_disclosure(tmp_path):
    problems, _ = preflight(_settings("block"), _folder(tmp_path, None), run_tests=False)
    assert any("DISCLOSURE.md is missing" in p for p in problems), problems


def test_the_zip_carries_the_disclosure(tmp_path):
    folder = _folder(tmp_path, FILLED)
    out = write_submission_zip(_settings("block"), folder, tmp_path / "upload.zip")
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["DISCLOSURE.md", "other.py", "toy.py"]
        assert archive.read("DISCLOSURE.md").decode() == FILLED


def test_course_yaml_decides_the_policy(tmp_path):
    assert load_course(REPO / "course.yaml").collaboration.missing_disclosure == "block"
    text = (REPO / "course.yaml").read_text().replace("missing_disclosure: block", "missing_disclosure: maybe")
    (tmp_path / "course.yaml").write_text(text)
    (tmp_path / "constraints.txt").write_text((REPO / "constraints.txt").read_text())
    with pytest.raises(UserError, match=r"collaboration\.missing_disclosure"):
        load_course(tmp_path / "course.yaml")


def test_release_submit_refuses_then_zips_the_disclosure(toy_root, tmp_path):
    """End to end in a release whose course.yaml blocks: what a student sees."""
    root = tmp_path / "course"
    shutil.copytree(toy_root, root, ignore=shutil.ignore_patterns("__pycache__"))
    (root / "course.yaml").write_text((root / "course.yaml").read_text()
                                      + "collaboration: {missing_disclosure: block}\n")
    proc = cvgrade("build", "-o", str(tmp_path / "dist"), root=root)
    assert proc.returncode == 0, proc.stderr
    with zipfile.ZipFile(tmp_path / "dist" / "hw0-student.zip") as archive:
        archive.extractall(tmp_path / "release")
        readme = archive.read("hw0/README.md").decode()
    folder = tmp_path / "release" / "hw0"
    assert "DISCLOSURE.md" in readme and "refuses to write the zip until both lines are filled in" in readme
    assert disclosure.problem((folder / disclosure.FILE_NAME).read_bytes()) is not None      # shipped blank
    (folder / "toy.py").write_text(TOY_REFERENCE)
    (folder / "other.py").write_text(OTHER_REFERENCE)

    def submit() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "submit", "--no-tests"], cwd=folder, capture_output=True,
                              text=True, timeout=120, stdin=subprocess.DEVNULL)

    proc = submit()
    assert proc.returncode == 1 and "DISCLOSURE.md: fill in Collaborators: and Sources:" in proc.stdout, proc.stdout
    assert not (folder / "hw0-submission.zip").exists()
    (folder / disclosure.FILE_NAME).write_text(FILLED)
    proc = submit()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with zipfile.ZipFile(folder / "hw0-submission.zip") as archive:
        assert "DISCLOSURE.md" in archive.namelist()


def test_grader_copies_the_disclosure_into_the_output(toy_root, tmp_path):
    document = grade_sources(toy_root, tmp_path / "with", {"toy.py": TOY_REFERENCE, "other.py": OTHER_REFERENCE,
                                                           disclosure.FILE_NAME: FILLED})
    assert document["score"] == 10
    assert "Collaborators: Ada Lovelace (al123), compared FFT padding" in document["output"]
    assert "Sources: numpy docs on fft2" in document["output"]
    document = grade_sources(toy_root, tmp_path / "without", {"toy.py": TOY_REFERENCE, "other.py": OTHER_REFERENCE})
    assert document["score"] == 10 and "Collaboration disclosure: none submitted" in document["output"]


def test_grader_lines_escape_nothing_and_cap_length():
    lines = disclosure.grader_lines({disclosure.FILE_NAME: b"Collaborators: " + b"x" * 5000 + b"\nSources: none\n"})
    assert len(lines[1]) < 1100 and lines[2] == "  Sources: none"
    lines = disclosure.grader_lines({disclosure.FILE_NAME: disclosure.template("hw0").encode()})
    assert "(not filled in)" in lines[1] and "fill in" in lines[-1]
